#include "schedule_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "input_checks.hpp"
#include "param_flags.hpp"
#include "pipescope/schedule_stats.hpp"
#include "pipescope/simulate.hpp"
#include "pipescope/trace.hpp"

namespace pipescope::app {

namespace {

std::string header(const Params& p, const SchedulePlan& plan) {
  return fmt::format("schedule {}: pp {}, microbatches {}, {} stage{} per rank ({} stages of {} layer{}), dp {}; "
                     "frames per pass F {}, I {}, W {}, send {}",
                     p.schedule_name(), p.pp, p.microbatches, p.stages_per_rank(),
                     p.stages_per_rank() == 1 ? "" : "s", p.stages(), p.layers_per_stage(),
                     p.layers_per_stage() == 1 ? "" : "s", p.dp, plan.costs.f, plan.costs.i, plan.costs.w,
                     plan.costs.send);
}

std::string stages_of(const Params& p, int rank) {
  std::string out;
  for (std::int64_t s = 0; s < p.stages(); ++s) {
    if (p.rank_of_stage(s) == rank) out += (out.empty() ? "" : " ") + std::to_string(s);
  }
  return out;
}

std::string step_name(const Step& s) { return to_string(Action::single(s.op, s.stage, s.microbatch)); }

void print_text(const Params& p, const SchedulePlan& plan) {
  std::cout << header(p, plan) << "\n";
  std::cout << "makespan " << plan.timing.makespan << " frames\n\nprograms (PyTorch's notation):\n";
  for (std::size_t r = 0; r < plan.program.per_rank.size(); ++r) {
    std::cout << "rank " << r << " (stages " << stages_of(p, static_cast<int>(r)) << "):";
    for (const auto& a : plan.program.per_rank[r]) std::cout << " " << to_string(a);
    std::cout << "\n";
  }
  std::cout << "\ntimed actions (action@start+frames):\n";
  for (std::size_t r = 0; r < plan.timing.per_rank.size(); ++r) {
    std::cout << "rank " << r << ":";
    for (const auto& a : plan.timing.per_rank[r]) std::cout << " " << to_string(a.action) << "@" << a.start << "+" << a.length;
    std::cout << "\n";
  }
}

nlohmann::json to_json(const Params& p, const SchedulePlan& plan) {
  nlohmann::json j;
  j["schedule"] = p.schedule_name();
  j["pp"] = p.pp;
  j["microbatches"] = p.microbatches;
  j["chunks"] = p.stages_per_rank();
  j["stages"] = p.stages();
  j["layers_per_stage"] = p.layers_per_stage();
  j["costs"] = {{"F", plan.costs.f}, {"I", plan.costs.i}, {"W", plan.costs.w}, {"send", plan.costs.send},
                {"exchange_flash", plan.costs.exchange_flash}};
  j["makespan"] = plan.timing.makespan;
  nlohmann::json stage_ranks = nlohmann::json::array();
  for (std::int64_t s = 0; s < p.stages(); ++s) stage_ranks.push_back(p.rank_of_stage(s));
  j["stage_ranks"] = stage_ranks;
  nlohmann::json ranks = nlohmann::json::array();
  for (std::size_t r = 0; r < plan.timing.per_rank.size(); ++r) {
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : plan.timing.per_rank[r]) {
      nlohmann::json ja{{"action", to_string(a.action)}, {"start", a.start}, {"length", a.length}};
      if (a.waited > 0) {
        ja["waited"] = a.waited;
        ja["waited_for"] = step_name(a.waited_for);
      }
      actions.push_back(ja);
    }
    ranks.push_back({{"rank", r}, {"actions", actions}});
  }
  j["ranks"] = ranks;
  nlohmann::json sends = nlohmann::json::array();
  for (const auto& s : plan.timing.sends) {
    sends.push_back({{"from_stage", s.from_stage}, {"to_stage", s.to_stage}, {"microbatch", s.microbatch},
                     {"direction", s.backward ? "backward" : "forward"}, {"start", s.start}, {"length", s.length}});
  }
  j["sends"] = sends;
  nlohmann::json exchanges = nlohmann::json::array();
  for (const auto& e : plan.timing.exchanges) {
    exchanges.push_back({{"stage", e.stage}, {"layer", e.layer}, {"rank", e.rank}, {"start", e.start},
                         {"length", 2 * e.flash}});
  }
  j["exchanges"] = exchanges;
  return j;
}

std::string percent(double v) { return fmt::format("{:.1f} %", 100 * v); }

}  // namespace

void add_schedule_commands(CLI::App& cli, ScheduleOptions& schedule, StatsOptions& stats,
                           CLI::App*& schedule_cmd, CLI::App*& stats_cmd) {
  schedule_cmd = cli.add_subcommand("schedule", "Print each rank's program and its timed actions.");
  add_param_flags(*schedule_cmd, schedule.params);
  schedule_cmd->add_option("--format", schedule.format,
                           "text (programs and timed actions), csv (PyTorch's compute-only schedule CSV, one "
                           "row per rank) or json (programs, timed actions, sends, exchanges)")
      ->check(CLI::IsMember({"text", "csv", "json"}))
      ->capture_default_str();

  stats_cmd = cli.add_subcommand("stats", "Print the schedule's figures: makespan, bubble, memory, traffic.");
  add_param_flags(*stats_cmd, stats.params);
  stats_cmd->add_flag("--json", stats.json, "print JSON instead of text");
  stats_cmd->add_option("--dtype-bytes", stats.dtype_bytes, "bytes per activation or gradient element")
      ->transform(whole_number())
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  stats_cmd->footer(
      "Figures (times in frames: one matmul of one microbatch per frame at unit cost):\n"
      "  makespan        frames until the last action, send or exchange ends\n"
      "  busy, idle      per rank: frames computing; makespan minus busy\n"
      "  bubble (idle / compute)      total idle / total compute, as Megatron and most papers\n"
      "                               count it (1F1B with instant sends: (p-1)/m)\n"
      "  bubble (idle / wall)         total idle / (ranks x makespan): the share of GPU time lost\n"
      "  bubble (playground)          1 - a rank's compute / the longest rank's own span, as the\n"
      "                               zero-bubble playground reports it\n"
      "  peak activations  per rank: the most microbatch-layers stored at once (a stage's\n"
      "                    activations of a microbatch live from its forward until its weight\n"
      "                    gradient is done), and in bytes for --dtype-bytes\n"
      "  traffic         pipeline sends between ranks (one microbatch's d_model-wide activation or\n"
      "                  gradient each) and data-parallel exchanges (each layer's two weight\n"
      "                  gradients with the next replica), messages and bytes, all replicas\n"
      "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n");
}

void add_trace_command(CLI::App& cli, TraceOptions& trace, CLI::App*& trace_cmd) {
  trace_cmd = cli.add_subcommand(
      "trace", "Write the schedule as a Chrome trace (JSON) that Perfetto (ui.perfetto.dev) and chrome://tracing open.");
  add_param_flags(*trace_cmd, trace.params);
  trace_cmd->add_option("-o,--output", trace.output, "output file; - is standard output")->capture_default_str();
  trace_cmd->add_option("--frame-us", trace.frame_us, "microseconds one frame lasts in the trace")
      ->transform(finite_number())
      ->check(CLI::Range(1e-3, 1e9))
      ->capture_default_str();
  trace_cmd->footer(
      "A process per data-parallel replica, a thread per pipeline rank (GPU) and one for the gradient exchange;\n"
      "a complete event per timed action (stage, microbatch, kind, what it waited for in args), flow arrows\n"
      "from each send to the action receiving it, a counter per rank of the activations it stores.\n"
      "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n");
}

int run_trace(const TraceOptions& o) {
  const std::string json = chrome_trace(o.params, make_plan(o.params), o.frame_us);
  if (o.output == "-") {
    std::cout << json;
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "pipescope: trace: writing to standard output failed\n";
      return 1;
    }
    return 0;
  }
  if (const std::string why = unwritable_reason("-o", o.output); !why.empty()) {
    std::cerr << "pipescope: " << why << "\n";
    return 2;
  }
  std::ofstream file(o.output, std::ios::binary);
  file << json;
  file.close();
  if (!file) {
    std::filesystem::remove(o.output);
    std::cerr << "pipescope: -o: writing " << o.output << " failed (nothing was written)\n";
    return 1;
  }
  std::cout << "wrote " << o.output << "\n";
  return 0;
}

int run_schedule(const ScheduleOptions& o) {
  const SchedulePlan plan = make_plan(o.params);
  if (o.format == "csv") {
    std::cout << to_csv(plan.program);
  } else if (o.format == "json") {
    std::cout << to_json(o.params, plan).dump(1) << "\n";
  } else {
    print_text(o.params, plan);
  }
  return std::cout.good() ? 0 : 1;
}

int run_stats(const StatsOptions& o) {
  const SchedulePlan plan = make_plan(o.params);
  const ScheduleStats st = schedule_stats(o.params, plan, o.dtype_bytes);
  if (o.json) {
    nlohmann::json j;
    j["schedule"] = o.params.schedule_name();
    j["dp"] = o.params.dp;
    j["pp"] = o.params.pp;
    j["microbatches"] = o.params.microbatches;
    j["chunks"] = o.params.stages_per_rank();
    j["makespan"] = st.makespan;
    j["bubble"] = {{"idle_over_compute", st.bubble_idle_over_compute},
                   {"idle_over_wall", st.bubble_idle_over_wall},
                   {"playground", st.bubble_playground}};
    nlohmann::json ranks = nlohmann::json::array();
    for (std::size_t r = 0; r < st.ranks.size(); ++r) {
      const auto& rs = st.ranks[r];
      ranks.push_back({{"rank", r}, {"busy", rs.busy}, {"idle", rs.idle}, {"first_start", rs.first_start},
                       {"last_end", rs.last_end}, {"peak_activations_microbatch_layers", rs.peak_activations},
                       {"peak_activation_bytes", rs.peak_activation_bytes}});
    }
    j["ranks"] = ranks;
    j["dtype_bytes"] = o.dtype_bytes;
    j["traffic"] = {{"pipeline_messages", st.pipeline_messages}, {"pipeline_bytes", st.pipeline_bytes},
                    {"dp_messages", st.dp_messages}, {"dp_bytes", st.dp_bytes}};
    std::cout << j.dump(1) << "\n";
    return std::cout.good() ? 0 : 1;
  }
  std::cout << header(o.params, plan) << "\n";
  std::cout << "makespan               " << st.makespan << " frames\n";
  std::cout << "bubble, idle / compute " << percent(st.bubble_idle_over_compute) << "  (Megatron, most papers)\n";
  std::cout << "bubble, idle / wall    " << percent(st.bubble_idle_over_wall) << "  (share of GPU time idle)\n";
  std::cout << "bubble, playground     " << percent(st.bubble_playground)
            << "  (1 - compute / longest rank span, zero-bubble playground)\n";
  std::cout << fmt::format("\n{:>5} {:>8} {:>8} {:>12} {:>22} {:>14}\n", "rank", "busy", "idle", "span",
                           "peak microbatch-layers", "peak bytes");
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    const auto& rs = st.ranks[r];
    std::cout << fmt::format("{:>5} {:>8} {:>8} {:>12} {:>22} {:>14.0f}\n", r, rs.busy, rs.idle,
                             fmt::format("{}-{}", rs.first_start, rs.last_end), rs.peak_activations,
                             rs.peak_activation_bytes);
  }
  std::cout << fmt::format("\ntraffic (all replicas, {} bytes per element): pipeline {} messages, {:.0f} bytes; "
                           "data parallel {} messages, {:.0f} bytes\n",
                           o.dtype_bytes, st.pipeline_messages, st.pipeline_bytes, st.dp_messages, st.dp_bytes);
  return std::cout.good() ? 0 : 1;
}

}  // namespace pipescope::app
