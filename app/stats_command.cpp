// `pipescope stats`: the schedule's figures, as text or JSON, in the plan's
// unit (frames for the notebook's model, microseconds for a real one) and
// memory in bytes against the GPU's.

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "measured_stats.hpp"
#include "output_file.hpp"
#include "schedule_command.hpp"
#include "pipescope/analysis/analysis.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/analysis/throughput.hpp"
#include "pipescope/analysis/units.hpp"
#include "pipescope/model/mesh.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/auto_schedule.hpp"

namespace pipescope::app {

namespace {

std::string percent(double v) { return fmt::format("{:.1f} %", 100 * v); }

Throughput throughput(const Params& p, const ScheduleStats& st) {
  return pipescope::throughput(p, st.flops_per_replica, st.hardware_flops_per_replica, st.makespan);
}

nlohmann::json stats_json(const Params& p, const SchedulePlan& plan, const ScheduleStats& st) {
  const bool real = plan.real_time();
  // Times: whole frames, or microseconds (the simulation's ns / 1000).
  auto time = [&](std::int64_t t) -> nlohmann::json {
    if (real) return static_cast<double>(t) / 1000;
    return t;
  };
  const std::string suffix = real ? "_us" : "";
  nlohmann::json j;
  j["schedule"] = p.schedule_name();
  j["model"] = std::string(model_name(p.model));
  j["time_unit"] = time_unit_name(st.unit);
  j["dp"] = p.dp;
  j["pp"] = p.pp;
  j["tp"] = p.tp;
  j["cp"] = p.cp;
  j["ep"] = p.ep;
  const Mesh mesh = mesh_of(p);
  j["mesh"] = {{"dp", mesh.dp}, {"pp", mesh.pp}, {"tp", mesh.tp}, {"cp", mesh.cp}, {"ep", p.ep}, {"gpus", mesh.gpus()},
               {"gpus_per_node", mesh.gpus_per_node}, {"order", "tp-cp-dp-pp (Megatron: tp innermost)"},
               {"text", mesh.text()}};
  j["microbatches"] = p.microbatches;
  j["chunks"] = p.stages_per_rank();
  j["makespan" + suffix] = time(st.makespan);
  j["flops_per_replica"] = st.flops_per_replica;
  if (real && st.makespan > 0) {
    const Throughput t = throughput(p, st);
    j["tokens_per_second"] = t.tokens_per_second;
    j["mfu"] = t.mfu;
    j["hfu"] = t.hfu;
    j["tflops_per_gpu"] = t.tflops_per_gpu;
  }
  j["bubble"] = {{"idle_over_compute", st.bubble_idle_over_compute},
                 {"idle_over_wall", st.bubble_idle_over_wall},
                 {"playground", st.bubble_playground}};
  nlohmann::json stages = nlohmann::json::array();
  for (const StageStats& s : st.stages) {
    stages.push_back({{"stage", s.stage}, {"rank", s.rank}, {"f" + suffix, time(s.f)}, {"i" + suffix, time(s.i)},
                      {"w" + suffix, time(s.w)}});
  }
  j["stages"] = stages;
  nlohmann::json ranks = nlohmann::json::array();
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    const auto& rs = st.ranks[r];
    ranks.push_back({{"rank", r},
                     {"busy" + suffix, time(rs.busy)},
                     {"idle" + suffix, time(rs.idle)},
                     {"first_start" + suffix, time(rs.first_start)},
                     {"last_end" + suffix, time(rs.last_end)},
                     {"peak_activations_microbatch_layers", rs.peak_activations},
                     {"parameters", rs.parameters},
                     {"weights_bytes", rs.weights_bytes},
                     {"gradients_bytes", rs.gradients_bytes},
                     {"optimizer_bytes", rs.optimizer_bytes},
                     {"overhead_bytes", rs.overhead_bytes},
                     {"static_memory_bytes", rs.static_memory_bytes},
                     {"peak_activation_bytes", rs.peak_activation_bytes},
                     {"peak_memory_bytes", rs.peak_memory_bytes},
                     {"over_memory", rs.over_memory},
                     {"time_split", {{"compute" + suffix, time(rs.compute())},
                                     {"recompute" + suffix, time(rs.recompute)},
                                     {"tp_communication" + suffix, time(rs.tp_communication)},
                                     {"cp_communication" + suffix, time(rs.cp_communication)},
                                     {"ep_communication" + suffix, time(rs.ep_communication)},
                                     {"fsdp_communication" + suffix, time(rs.fsdp_communication)},
                                     {"idle" + suffix, time(rs.idle)}}}});
  }
  j["ranks"] = ranks;
  if (plan.auto_result) {
    // What --schedule auto found, among what, and what stops it going faster.
    const AutoResult& a = *plan.auto_result;
    nlohmann::json zoo = nlohmann::json::array();
    for (const AutoCandidate& z : a.zoo) {
      zoo.push_back({{"schedule", z.name}, {"makespan" + suffix, time(z.makespan)}, {"fits", z.fits}});
    }
    j["auto"] = {{"found_by", a.best.name},
                 {"evaluated", a.evaluated},
                 {"stopped_at_time_bound", a.stopped_at_deadline},
                 // Stopped at its time bound, the search never compared itself with the uncapped one.
                 {"binding", a.stopped_at_deadline ? "unknown" : a.binding_rank >= 0 ? "memory" : "dependencies"},
                 {"binding_rank", a.binding_rank >= 0 ? nlohmann::json(a.binding_rank) : nlohmann::json(nullptr)},
                 {"uncapped_makespan" + suffix, a.binding_rank >= 0 ? time(a.uncapped_makespan) : time(st.makespan)},
                 {"zoo", zoo}};
  }
  j["gpu_memory_bytes"] = st.gpu_memory_bytes;
  j["over_memory_ranks"] = std::count_if(st.ranks.begin(), st.ranks.end(), [](const RankStats& r) { return r.over_memory; });
  j["dtype_bytes"] = p.dtype_bytes;
  j["traffic"] = {{"pipeline_messages", st.pipeline_messages}, {"pipeline_bytes", st.pipeline_bytes},
                  {"dp_messages", st.dp_messages}, {"dp_bytes", st.dp_bytes}};
  return j;
}

// --schedule auto: what was found, what it beat, and what binds.
void print_auto_text(const Params& p, const SchedulePlan& plan, const AutoResult& a) {
  const TimeUnit u = plan.costs.unit;
  std::cout << fmt::format("auto: {} ({} orders tried{})\n", a.best.name, a.evaluated,
                           a.stopped_at_deadline ? fmt::format("; stopped at the time bound, --auto-seconds {}: the "
                                                               "best so far",
                                                               number_text(p.auto_seconds))
                                                 : "");
  for (const AutoCandidate& z : a.zoo) {
    std::cout << fmt::format("  {:<18} {:>12}  {}\n", z.name, duration_text(u, static_cast<double>(z.makespan)),
                             z.fits ? "fits" : "OVER the GPU's memory");
  }
  if (a.stopped_at_deadline) {
    std::cout << "binding: not known (the search stopped at its time bound before comparing with no cap)\n";
  } else if (a.binding_rank >= 0) {
    std::cout << fmt::format("binding: memory on rank {} (without the cap it could take {})\n", a.binding_rank,
                             duration_text(u, static_cast<double>(a.uncapped_makespan)));
  } else {
    std::cout << "binding: the dependencies (nothing found without the cap is faster)\n";
  }
}

// One GPU of each rank: what its memory holds, and where its step goes.
void print_memory_and_split(const Params& p, const ScheduleStats& st) {
  std::cout << fmt::format("\n{:>5} {:>11} {:>10} {:>10} {:>10} {:>10} {:>12}   {}\n", "rank", "parameters", "weights",
                           "gradients", "optimizer", "overhead", "activations",
                           "time: compute / recompute / tp / cp / ep / fsdp / idle");
  const bool split = st.unit == TimeUnit::Nanoseconds && p.time_f.empty() && !p.measured;
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    const RankStats& rs = st.ranks[r];
    const double total = static_cast<double>(rs.busy + rs.idle);
    auto share = [&](std::int64_t t) { return total > 0 ? percent(static_cast<double>(t) / total) : std::string("-"); };
    std::cout << fmt::format("{:>5} {:>11.4g} {:>10} {:>10} {:>10} {:>10} {:>12}   {}\n", r, rs.parameters,
                             bytes_text(rs.weights_bytes), bytes_text(rs.gradients_bytes),
                             bytes_text(rs.optimizer_bytes), bytes_text(rs.overhead_bytes),
                             bytes_text(rs.peak_activation_bytes),
                             split ? fmt::format("{} / {} / {} / {} / {} / {} / {}", share(rs.compute()),
                                                 share(rs.recompute), share(rs.tp_communication),
                                                 share(rs.cp_communication), share(rs.ep_communication),
                                                 share(rs.fsdp_communication), share(rs.idle))
                                   : std::string("measured"));
  }
}

void print_text(const Params& p, const SchedulePlan& plan, const ScheduleStats& st) {
  const TimeUnit u = st.unit;
  auto time = [&](std::int64_t t) { return duration_text(u, static_cast<double>(t)); };
  std::cout << schedule_header(p, plan) << "\n";
  std::cout << "makespan               " << time(st.makespan) << "\n";
  if (plan.real_time() && st.makespan > 0 && p.model == CostModel::Transformer) {
    const Throughput t = throughput(p, st);
    std::cout << fmt::format("throughput             {:.1f} TFLOP/s a GPU, MFU {}, HFU {} ({:.3g} FLOPs a "
                             "replica's step)\n",
                             t.tflops_per_gpu, percent(t.mfu), percent(t.hfu), st.flops_per_replica);
    if (t.tokens_per_second > 0) std::cout << fmt::format("tokens                 {:.4g} a second\n", t.tokens_per_second);
    std::cout << "mesh                   " << mesh_of(p).text() << "\n";
  }
  std::cout << "bubble, idle / compute " << percent(st.bubble_idle_over_compute) << "  (Megatron, most papers)\n";
  std::cout << "bubble, idle / wall    " << percent(st.bubble_idle_over_wall) << "  (share of GPU time idle)\n";
  std::cout << "bubble, playground     " << percent(st.bubble_playground)
            << "  (1 - compute / longest rank span, zero-bubble playground)\n";
  if (p.measured) {
    // Times only: a measured trace has no model sizes to count memory or traffic from.
    std::cout << fmt::format("\n{:>5} {:>12} {:>12} {:>23}\n", "rank", "busy", "idle", "span");
    for (std::size_t r = 0; r < st.ranks.size(); ++r) {
      const auto& rs = st.ranks[r];
      std::cout << fmt::format("{:>5} {:>12} {:>12} {:>23}\n", r, time(rs.busy), time(rs.idle),
                               fmt::format("{}-{}", time(rs.first_start), time(rs.last_end)));
    }
    return;
  }
  std::cout << fmt::format("\n{:>5} {:>12} {:>12} {:>23} {:>12} {:>12} {:>12}\n", "rank", "busy", "idle", "span",
                           "static", "activations", "peak");
  int over = 0;
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    const auto& rs = st.ranks[r];
    over += rs.over_memory;
    std::cout << fmt::format("{:>5} {:>12} {:>12} {:>23} {:>12} {:>12} {:>12}{}\n", r, time(rs.busy), time(rs.idle),
                             fmt::format("{}-{}", plan.real_time() ? time(rs.first_start) : std::to_string(rs.first_start),
                                         plan.real_time() ? time(rs.last_end) : std::to_string(rs.last_end)),
                             bytes_text(rs.static_memory_bytes), bytes_text(rs.peak_activation_bytes),
                             bytes_text(rs.peak_memory_bytes), rs.over_memory ? "  OVER" : "");
  }
  if (p.model == CostModel::Transformer) print_memory_and_split(p, st);
  if (plan.auto_result) print_auto_text(p, plan, *plan.auto_result);
  std::cout << fmt::format("memory per GPU {}: {}\n", bytes_text(st.gpu_memory_bytes),
                           over == 0 ? std::string("every rank fits")
                                     : fmt::format("{} rank{} over it (OVER)", over, over == 1 ? " is" : "s are"));
  std::cout << fmt::format("\ntraffic (all replicas, {} bytes per element): pipeline {} messages, {}; "
                           "data parallel {} messages, {}\n",
                           p.dtype_bytes, st.pipeline_messages, bytes_text(st.pipeline_bytes), st.dp_messages,
                           bytes_text(st.dp_bytes));
}

}  // namespace

int run_stats(const StatsOptions& o) {
  say_auto_search_on_terminal(o.params);
  // With --measured the figures above are the ideal's, and "measured" the step as it ran.
  const auto a = analyse(o.params);
  if (o.json) {
    nlohmann::json j = stats_json(o.params, a->plan, a->stats);
    if (a->measured) j["measured"] = measured_json(*a);
    std::cout << j.dump(1) << "\n";
  } else {
    print_text(o.params, a->plan, a->stats);
    if (a->measured) print_measured_text(*a);
  }
  return finish_standard_output("stats");
}

}  // namespace pipescope::app
