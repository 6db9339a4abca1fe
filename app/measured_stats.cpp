#include "measured_stats.hpp"

#include <iostream>

#include <fmt/ranges.h>

#include <fmt/format.h>

#include "pipescope/analysis/units.hpp"
#include "pipescope/analysis/why_slow.hpp"
#include "pipescope/measured/measured_run.hpp"

namespace pipescope::app {

namespace {

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000; }
std::string time(std::int64_t ns) { return duration_text(TimeUnit::Nanoseconds, static_cast<double>(ns)); }

// Unlabelled, the order was matched: say so where it is shown.
std::string labels_text(MeasuredLabels l) {
  return l == MeasuredLabels::Inferred ? "none: matched between sends and receives" : labels_name(l);
}

}  // namespace

nlohmann::json measured_json(const ScheduleAnalysis& a) {
  const MeasuredRun& run = *a.params.measured;
  const MeasuredAnalysis& m = *a.measured;
  nlohmann::json j;
  j["source"] = run.source;
  j["schedule"] = run.matched_schedule.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.matched_schedule);
  j["labels"] = labels_text(run.labels);
  j["timed_by"] = run.gpu ? "gpu kernels" : "cpu";
  j["step"] = run.step;
  j["pp"] = run.program.ranks;
  j["dp"] = run.dp;
  j["tp"] = run.tp;
  j["microbatches"] = run.program.microbatches;
  j["chunks"] = run.program.stages_per_rank();
  j["makespan_us"] = us(run.makespan);
  j["ideal_makespan_us"] = us(a.plan.timing.makespan);
  j["bubble"] = {{"idle_over_compute", m.stats.bubble_idle_over_compute},
                 {"idle_over_wall", m.stats.bubble_idle_over_wall},
                 {"playground", m.stats.bubble_playground}};
  j["ideal_bubble"] = {{"idle_over_compute", a.stats.bubble_idle_over_compute},
                       {"idle_over_wall", a.stats.bubble_idle_over_wall},
                       {"playground", a.stats.bubble_playground}};
  j["straggler"] = m.split.straggler >= 0 ? nlohmann::json(m.split.straggler) : nlohmann::json(nullptr);
  if (m.split.slowest >= 0) {
    // The rank computing longest, against its peers: named a straggler only
    // when its middle half lies above theirs. With replicas, pass by pass
    // against the same pass on the others (quartiles of those ratios).
    const MeasuredSplit& sp = m.split;
    nlohmann::json ops = nlohmann::json::array();
    for (const OperatorExcess& o : sp.excess_operators) {
      ops.push_back({{"name", o.name}, {"us", us(o.mine)}, {"peers_us", us(o.peers)}});
    }
    j["slowest"] = {{"rank", sp.slowest},
                    {"compared", sp.per_pass ? "its compute over the step with its stage's other replicas'"
                                             : "each microbatch's compute with the other ranks'"},
                    {"compute_over_peers", sp.straggler_ratio},
                    {"compute_excess_us", us(sp.compute_excess)},
                    {"operators_beyond_peers", ops},
                    {"why", why_slow(run, sp)}};
    if (sp.per_pass) {
      j["slowest"]["passes_over_replicas_quartiles"] = {sp.slowest_q1, sp.slowest_q3};
      j["slowest"]["others_over_replicas_range"] = {sp.peers_q1, sp.peers_q3};
    } else {
      j["slowest"]["quartiles_us"] = {sp.slowest_q1 / 1000, sp.slowest_q3 / 1000};
      j["slowest"]["peers_quartiles_us"] = {sp.peers_q1 / 1000, sp.peers_q3 / 1000};
    }
  }
  j["fastest_transfer_us"] = us(m.split.fastest_transfer);
  if (m.split.straggler >= 0) j["straggler_compute_over_median"] = m.split.straggler_ratio;
  j["most_waited_on"] = m.split.most_waited_on >= 0 ? nlohmann::json(m.split.most_waited_on) : nlohmann::json(nullptr);
  j["notes"] = run.notes;
  nlohmann::json ranks = nlohmann::json::array();
  for (std::size_t r = 0; r < run.ranks.size(); ++r) {
    const MeasuredRank& mr = run.ranks[r];
    const RankSplit& s = m.split.ranks[r];
    nlohmann::json actions = nlohmann::json::array();
    for (const MeasuredAction& act : mr.actions) {
      actions.push_back({{"action", to_string(act.action)}, {"start_us", us(act.start)}, {"end_us", us(act.end)}, {"busy_us", us(act.busy)}});
    }
    nlohmann::json waiting = nlohmann::json::object();
    for (std::size_t q = 0; q < s.waiting_on.size(); ++q) {
      if (s.waiting_on[q] > 0) waiting[std::to_string(run.ranks[q].rank)] = us(s.waiting_on[q]);
    }
    nlohmann::json ops = nlohmann::json::array();
    for (std::size_t o = 0; o < mr.operators.size() && o < 5; ++o) {
      ops.push_back({{"name", mr.operators[o].name}, {"us", us(mr.operators[o].ns)}, {"calls", mr.operators[o].calls}});
    }
    nlohmann::json collectives = nlohmann::json::array();
    for (const MeasuredCollective& c : mr.collectives) {
      collectives.push_back({{"name", c.name}, {"start_us", us(c.start)}, {"end_us", us(c.end)}});
    }
    ranks.push_back({{"rank", mr.rank},
                     {"replica", mr.replica},
                     {"pp_rank", mr.pp_rank},
                     {"tp_rank", mr.tp_rank},
                     {"file", mr.file},
                     {"busy_us", us(mr.busy)},
                     {"idle_us", us(s.idle)},
                     {"ideal_busy_us", us(s.ideal_busy)},
                     {"ideal_idle_us", us(s.ideal_idle)},
                     {"waiting_on_peers_us", us(s.waiting_on_peers)},
                     {"waiting_on_us", waiting},
                     {"comm_needed_us", us(s.comm_needed)},
                     {"comm_beyond_us", us(s.comm_beyond)},
                     {"nothing_us", us(s.nothing)},
                     {"collective_us", us(s.collective)},
                     {"drain_us", us(s.drain)},
                     {"top_operators", ops},
                     {"collectives", collectives},
                     {"clock_shift_us", us(mr.clock_shift)},
                     {"actions", actions}});
  }
  j["ranks"] = ranks;
  return j;
}

void print_measured_text(const ScheduleAnalysis& a) {
  const MeasuredRun& run = *a.params.measured;
  const MeasuredAnalysis& m = *a.measured;
  const double gap = run.makespan > 0 ? 1 - static_cast<double>(a.plan.timing.makespan) / static_cast<double>(run.makespan) : 0;
  std::cout << fmt::format("\nmeasured {} (ProfilerStep#{}, {}, labels: {}; timed on the {})\n", run.source, run.step,
                           run.schedule_label(), labels_text(run.labels), run.gpu ? "GPU's kernels" : "CPU");
  std::cout << fmt::format("makespan               {} measured, {} ideal (the same order at the median costs): "
                           "{:.1f} % of the step lost to waiting and variation\n",
                           time(run.makespan), time(a.plan.timing.makespan), 100 * gap);
  std::cout << fmt::format("bubble, idle / compute {:.1f} % measured, {:.1f} % ideal\n",
                           100 * m.stats.bubble_idle_over_compute, 100 * a.stats.bubble_idle_over_compute);
  const bool mesh = run.pipelines > 1;
  std::cout << fmt::format("\n{:>5} {:>9} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}  {}\n", "rank",
                           mesh ? "replica" : "", "busy", "ideal busy", "idle", "ideal idle", "on peers", "comm", "beyond",
                           mesh ? "all-reduce" : "", "nothing", "waited most on");
  for (std::size_t r = 0; r < run.ranks.size(); ++r) {
    const RankSplit& s = m.split.ranks[r];
    const MeasuredRank& mr = run.ranks[r];
    std::size_t peer = 0;
    for (std::size_t q = 0; q < s.waiting_on.size(); ++q) {
      if (s.waiting_on[q] > s.waiting_on[peer]) peer = q;
    }
    std::cout << fmt::format("{:>5} {:>9} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}  {}\n", s.rank,
                             mesh ? fmt::format("{} pp {}", mr.replica, mr.pp_rank) : "", time(s.busy),
                             time(s.ideal_busy), time(s.idle), time(s.ideal_idle), time(s.waiting_on_peers),
                             time(s.comm_needed), time(s.comm_beyond), mesh ? time(s.collective) : "",
                             time(s.nothing + s.drain),
                             s.waiting_on_peers > 0 ? fmt::format("rank {} ({})", run.ranks[peer].rank, time(s.waiting_on[peer])) : "-");
  }
  std::cout << "  busy: the union of a rank's compute inside its passes (a pass's own gaps, such as a wait inside a\n"
               "  fused backward, are not busy, so busy can be less than its passes' spans added up); on peers:\n"
               "  idle until an input from another rank was made; comm: inside sends and receives, as long as the\n"
               "  fastest one; beyond: the rest of them, a receive waiting for its send to start (a late peer or\n"
               "  a busy CPU), not a slow link unless every transfer is slow; nothing: gaps the trace shows nothing in\n";
  const MeasuredSplit& s = m.split;
  auto ms = [](double ns) { return fmt::format("{:.1f}", ns / 1e6); };
  const std::string spread =
      s.per_pass ? fmt::format("the other ranks {:.2f}-{:.2f} x their replicas; its passes one by one {:.2f}-{:.2f} x "
                               "the same pass on its replicas, middle half",
                               s.peers_q1, s.peers_q3, s.slowest_q1, s.slowest_q3)
                 : fmt::format("its microbatches' middle half {}-{} ms, its peers' {}-{} ms", ms(s.slowest_q1),
                               ms(s.slowest_q3), ms(s.peers_q1), ms(s.peers_q3));
  const char* unit = s.per_pass ? "its stage's replicas over the step" : "its peers a microbatch";
  if (s.straggler >= 0) {
    std::cout << fmt::format("straggler: rank {} computes {:.2f} x {} ({}: slower than their spread)\n", s.straggler,
                             s.straggler_ratio, unit, spread);
    std::cout << "  why: " << why_slow(run, s) << "\n";
  } else if (s.slowest >= 0) {
    std::cout << fmt::format("straggler: none (the slowest, rank {}, computes {:.2f} x {}, within their spread: {})\n",
                             s.slowest, s.straggler_ratio, unit, spread);
  }
  for (const std::string& n : run.notes) std::cout << "note: " << n << "\n";
}

}  // namespace pipescope::app
