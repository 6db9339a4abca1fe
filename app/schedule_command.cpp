#include "schedule_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "auto_exact.hpp"
#include "input_checks.hpp"
#include "interrupts.hpp"
#include "output_file.hpp"
#include "param_flags.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/analysis/analysis.hpp"
#include "pipescope/analysis/trace.hpp"
#include "pipescope/analysis/units.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/auto_milp.hpp"

namespace pipescope::app {

std::string schedule_header(const Params& p, const SchedulePlan& plan) {
  const Costs& c = plan.costs;
  const TimeUnit u = c.unit;
  const int last = plan.program.stages - 1;
  const bool varies = !c.per_stage.empty() && (c.f_of(last) != c.f || c.i_of(last) != c.i || c.w_of(last) != c.w);
  if (p.measured) {
    // Times only, the medians of each pass as it ran: a backward that ran
    // fused (B) is one figure, not a made-up split into I and W.
    bool fused = false;
    for (const auto& rank : plan.program.per_rank) {
      for (const Action& a : rank) fused = fused || a.op == Op::B;
    }
    auto passes = [&](int s) {
      return fused ? fmt::format("F {}, B {}", duration_text(u, static_cast<double>(c.f_of(s))),
                                 duration_text(u, static_cast<double>(c.i_of(s) + c.w_of(s))))
                   : fmt::format("F {}, I {}, W {}", duration_text(u, static_cast<double>(c.f_of(s))),
                                 duration_text(u, static_cast<double>(c.i_of(s))),
                                 duration_text(u, static_cast<double>(c.w_of(s))));
    };
    return fmt::format("schedule {}: pp {}, microbatches {}, {} stage{} per rank, dp {}; the ideal of a measured "
                       "step (its order at each pass's median time; the trace has times, not the model's sizes: no "
                       "FLOPs or memory); per pass{} {}{}{}",
                       p.schedule_name(), p.pp, p.microbatches, p.stages_per_rank(),
                       p.stages_per_rank() == 1 ? "" : "s", p.dp, varies ? " (stage 0)" : "", passes(0),
                       varies ? fmt::format(" (last stage {})", passes(last)) : std::string(),
                       fused ? ", B the backward as it ran, I and W fused" : "");
  }
  return fmt::format("schedule {}: pp {}, microbatches {}, {} stage{} per rank ({} stages of {} layer{}), dp {}, "
                     "model {}; per pass{} F {}, I {}, W {}{}, send {}",
                     p.schedule_name(), p.pp, p.microbatches, p.stages_per_rank(),
                     p.stages_per_rank() == 1 ? "" : "s", p.stages(), p.layers_per_stage(),
                     p.layers_per_stage() == 1 ? "" : "s", p.dp, model_name(p.model), varies ? " (stage 0)" : "",
                     duration_text(u, static_cast<double>(c.f)), duration_text(u, static_cast<double>(c.i)),
                     duration_text(u, static_cast<double>(c.w)),
                     varies ? fmt::format(" (last stage F {}, I {}, W {})",
                                          duration_text(u, static_cast<double>(c.f_of(last))),
                                          duration_text(u, static_cast<double>(c.i_of(last))),
                                          duration_text(u, static_cast<double>(c.w_of(last))))
                            : std::string(),
                     duration_text(u, static_cast<double>(c.send)));
}

namespace {

std::string stages_of(const Params& p, int rank) {
  std::string out;
  for (std::int64_t s = 0; s < p.stages(); ++s) {
    if (p.rank_of_stage(s) == rank) out += (out.empty() ? "" : " ") + std::to_string(s);
  }
  return out;
}

std::string step_name(const Step& s) { return to_string(Action::single(s.op, s.stage, s.microbatch)); }

void print_text(const Params& p, const SchedulePlan& plan) {
  std::cout << schedule_header(p, plan) << "\n";
  std::cout << "makespan " << duration_text(plan.costs.unit, static_cast<double>(plan.timing.makespan))
            << "\n\nprograms (PyTorch's notation):\n";
  for (std::size_t r = 0; r < plan.program.per_rank.size(); ++r) {
    std::cout << "rank " << r << " (stages " << stages_of(p, static_cast<int>(r)) << "):";
    for (const auto& a : plan.program.per_rank[r]) std::cout << " " << to_string(a);
    std::cout << "\n";
  }
  std::cout << "\ntimed actions (action@start+length, in " << (plan.real_time() ? "ns" : "frames") << "):\n";
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
  j["time_unit"] = plan.real_time() ? "ns" : "frames";  // of every start and length here
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

}  // namespace

void add_schedule_commands(CLI::App& cli, ScheduleOptions& schedule, StatsOptions& stats,
                           CLI::App*& schedule_cmd, CLI::App*& stats_cmd) {
  schedule_cmd = cli.add_subcommand("schedule", "Print each rank's program and its timed actions.");
  add_param_flags(*schedule_cmd, schedule.params);
  schedule_cmd->add_option("--format", schedule.format,
                           "text (programs and timed actions), csv (PyTorch's compute-only schedule CSV, one "
                           "row per rank) or json (programs, timed actions, sends, exchanges)")
      ->check(CLI::IsMember({"text", "csv", "json", "lp"}))
      ->capture_default_str();
  schedule_cmd->add_flag("--exact", schedule.exact,
                         "with --schedule auto: also solve it exactly as a mixed-integer program with GLPK's "
                         "glpsol (small cases: at most " + std::to_string(kMaxExactPasses / 3) +
                             " stage-microbatches), say how far the heuristic is, and use the better order "
                             "(--format lp writes that program for any solver instead)");
  schedule_cmd->add_option("--exact-seconds", schedule.exact_seconds, "glpsol's time limit for --exact")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  stats_cmd = cli.add_subcommand("stats", "Print the schedule's figures: makespan, bubble, memory, traffic.");
  add_param_flags(*stats_cmd, stats.params);
  stats_cmd->add_flag("--json", stats.json, "print JSON instead of text");
  stats_cmd->footer(
      "Figures (times in frames for the notebook's model, one matmul of one microbatch a frame at unit\n"
      "cost; in microseconds for --model transformer or measured --time-f/-i/-w):\n"
      "  makespan        until the last action, send or exchange ends\n"
      "  busy, idle      per rank: computing; makespan minus busy\n"
      "  bubble (idle / compute)      total idle / total compute, as Megatron and most papers\n"
      "                               count it (1F1B with instant sends: (p-1)/m)\n"
      "  bubble (idle / wall)         total idle / (ranks x makespan): the share of GPU time lost\n"
      "  bubble (playground)          1 - a rank's compute / the longest rank's own span, as the\n"
      "                               zero-bubble playground reports it\n"
      "  memory          per rank: static (parameters x 16 bytes, mixed-precision Adam), peak\n"
      "                  activations (stored from a stage's forward of a microbatch; its backward\n"
      "                  through the input frees what only it needs, its weight gradient the rest)\n"
      "                  and their sum, flagged OVER above --gpu-memory-gib\n"
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
  trace_cmd->footer(
      "A process per data-parallel replica, a thread per pipeline rank (GPU) and one for the gradient exchange;\n"
      "a complete event per timed action (stage, microbatch, kind, what it waited for in args), flow arrows\n"
      "from each send to the action receiving it, a counter per rank of the activation bytes it stores.\n"
      "Real time (--model transformer, measured costs) is written as it is; for the notebook's frames,\n"
      "--frame-us sets how long a frame lasts (0: 1000 us).\n"
      "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n");
}

int run_trace(const TraceOptions& o) {
  // A measured run: all ranks' traces merged on one clock, sends as flows.
  const std::string json =
      chrome_trace(o.params, analyse(o.params)->scene_plan(), o.params.frame_us > 0 ? o.params.frame_us : 1000.0);
  if (o.output == "-") {
    std::cout << json;
    return finish_standard_output("trace");
  }
  if (const std::string why = unwritable_reason("-o", o.output); !why.empty()) {
    std::cerr << "pipescope: " << why << "\n";
    return 2;
  }
  // Whole or not at all (output_file.hpp); Ctrl-C while writing leaves nothing.
  const InterruptWatch interrupts;
  try {
    OutputFile out(o.output);
    {
      std::ofstream file(out.writing(), std::ios::binary | std::ios::trunc);
      file << json;
      file.close();
      if (!file) throw OutputError(o.output + ": cannot be written: " + std::strerror(errno));
    }
    if (interrupts.raised()) {
      std::cerr << "pipescope: interrupted: " << o.output << " was not written\n";
      return kExitInterrupted;
    }
    out.commit();
  } catch (const OutputError& e) {
    std::cerr << "pipescope: -o: " << e.what() << " (nothing was written)\n";
    return 1;
  }
  std::cout << "wrote " << o.output << "\n";
  return 0;
}

void say_auto_search_on_terminal(const Params& p) {
  if (p.schedule != ScheduleKind::Auto || p.schedule_file || p.measured || !isatty(STDERR_FILENO)) return;
  std::cerr << fmt::format("pipescope: searching for the fastest order that fits (at most {} s; --auto-seconds "
                           "changes it)...\n",
                           number_text(p.auto_seconds));
}

int run_schedule(const ScheduleOptions& o) {
  say_auto_search_on_terminal(o.params);
  // A measured run's order and timing are the step as it ran.
  SchedulePlan plan = o.params.measured ? measured_plan(o.params) : make_plan(o.params);
  if ((o.exact || o.format == "lp") && !plan.auto_result) {
    std::cerr << "pipescope: " << (o.exact ? "--exact" : "--format lp") << ": the exact tier is --schedule auto's; "
              << "give --schedule auto\n";
    return 2;
  }
  if (o.exact || o.format == "lp") {
    const AutoProblem problem = auto_problem(o.params);
    const int passes = 3 * problem.ranks * problem.chunks * problem.microbatches;
    if (passes > kMaxExactPasses) {
      std::cerr << fmt::format("pipescope: {}: pp {} x chunks {} x microbatches {} is {} passes; the exact tier "
                               "takes at most {} (a solver says nothing in reasonable time past that)\n",
                               o.exact ? "--exact" : "--format lp", problem.ranks, problem.chunks,
                               problem.microbatches, passes, kMaxExactPasses);
      return 2;
    }
    if (o.format == "lp") {
      std::cout << auto_milp_lp(problem, plan.timing.makespan);
      return finish_standard_output("schedule");
    }
    const ExactResult exact = solve_exact(problem, plan.timing.makespan, o.exact_seconds);
    if (exact.interrupted) {
      std::cerr << "pipescope: interrupted: --exact stopped glpsol; nothing was written\n";
      return kExitInterrupted;
    }
    if (!exact.error.empty()) {
      std::cerr << "pipescope: --exact: " << exact.error << "\n";
      return 1;
    }
    const TimeUnit u = plan.costs.unit;
    const std::int64_t heuristic = plan.timing.makespan;
    if (exact.solution) {
      const std::int64_t solved = simulate(exact.solution->program, plan.costs).makespan;
      std::cerr << fmt::format("exact ({}): {}; the heuristic's {} is {:.1f} % slower\n",
                               exact.solution->optimal ? "optimal" : fmt::format("best in {} s", o.exact_seconds),
                               duration_text(u, static_cast<double>(solved)), duration_text(u, static_cast<double>(heuristic)),
                               solved > 0 ? 100.0 * static_cast<double>(heuristic - solved) / static_cast<double>(solved) : 0.0);
      if (solved < heuristic) {
        plan.program = exact.solution->program;
        plan.timing = simulate(plan.program, plan.costs);
      }
    } else {
      std::cerr << fmt::format("exact: nothing faster than the heuristic's {} within {} s\n",
                               duration_text(u, static_cast<double>(heuristic)), o.exact_seconds);
    }
  }
  if (o.format == "csv") {
    std::cout << to_csv(plan.program);
  } else if (o.format == "json") {
    std::cout << to_json(o.params, plan).dump(1) << "\n";
  } else {
    print_text(o.params, plan);
  }
  return finish_standard_output("schedule");
}

}  // namespace pipescope::app
