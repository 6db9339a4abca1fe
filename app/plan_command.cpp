#include "plan_command.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "input_checks.hpp"
#include "interrupts.hpp"
#include "output_file.hpp"
#include "param_flags.hpp"
#include "session.hpp"
#include "pipescope/analysis/units.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/plan/layout_figures.hpp"
#include "pipescope/plan/planner.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope::app {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string seconds_text(std::int64_t ns) { return duration_text(TimeUnit::Nanoseconds, static_cast<double>(ns)); }

nlohmann::json layout_json(const PlannedLayout& row) {
  const ParallelLayout& l = row.layout;
  return {{"tp", l.tp},
          {"cp", l.cp},
          {"ep", l.ep},
          {"pp", l.pp},
          {"dp", l.dp},
          {"chunks", l.chunks},
          {"microbatches", l.microbatches},
          {"microbatch_size", l.microbatch_size},
          {"batch", l.dp * l.microbatches * l.microbatch_size},
          {"recompute", std::string(recompute_name(l.recompute))},
          {"zero", l.zero},
          {"schedule", std::string(schedule_info(l.schedule).name)},
          {"makespan_us", static_cast<double>(row.makespan) / 1000},
          {"peak_memory_bytes", row.peak_memory_bytes},
          {"peak_rank", row.peak_rank},
          {"fits", row.fits},
          {"alike", row.alike},
          {"flags", layout_flags(l)}};
}

nlohmann::json ranked_json(const PlannedLayout& row, const LayoutFigures& f) {
  nlohmann::json j = layout_json(row);
  j["tokens_per_second"] = f.throughput.tokens_per_second;
  j["mfu"] = f.throughput.mfu;
  j["hfu"] = f.throughput.hfu;
  j["binds"] = f.binds;
  j["time_split"] = {{"compute", f.compute}, {"recompute", f.recompute}, {"tp", f.tp},    {"cp", f.cp},
                     {"ep", f.ep},           {"fsdp", f.fsdp},           {"idle", f.idle}};
  return j;
}

std::string csv_of(const std::vector<PlannedLayout>& rows, const std::vector<LayoutFigures>& figures) {
  std::string csv =
      "rank,tp,cp,ep,pp,dp,chunks,microbatches,microbatch_size,recompute,zero,schedule,makespan_us,tokens_per_second,"
      "mfu,peak_memory_bytes,fits,binds\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ParallelLayout& l = rows[i].layout;
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{:.3f},{:.6g},{:.4f},{:.0f},{},{}\n", i + 1, l.tp, l.cp,
                       l.ep, l.pp, l.dp, l.chunks, l.microbatches, l.microbatch_size, recompute_name(l.recompute),
                       l.zero, schedule_info(l.schedule).name, static_cast<double>(rows[i].makespan) / 1000,
                       figures[i].throughput.tokens_per_second, figures[i].throughput.mfu, rows[i].peak_memory_bytes,
                       rows[i].fits ? 1 : 0, figures[i].binds);
  }
  return csv;
}

void print_text(const PlanCommandOptions& o, const PlanResult& r, const std::vector<LayoutFigures>& figures) {
  const Params& p = o.params;
  std::cout << fmt::format("plan: {} GPUs ({} a node, {} GiB each) for a {}-layer model of width {}, batch {} x {} "
                           "tokens\n",
                           o.gpus, p.gpus_per_node, number_text(p.gpu_memory_gib), p.L, p.d_model, p.B, p.seq_len);
  std::cout << fmt::format("  {} layouts considered, {} simulated (the rest bounded out), {} refined by auto's search, "
                           "{:.1f} s{}\n\n",
                           r.evaluated, r.simulated, r.auto_searched, r.seconds,
                           r.stopped_at_deadline ? fmt::format(" (stopped at --seconds {}: the best found by then)",
                                                               number_text(o.seconds))
                                                 : "");
  std::cout << fmt::format("  {:>2}  {:>9}  {:>9}  {:>6}  {:>10}  {:<22}  {}\n", "#", "step", "tokens/s", "MFU",
                           "memory", "binds", "layout");
  for (std::size_t i = 0; i < r.ranked.size(); ++i) {
    const PlannedLayout& row = r.ranked[i];
    std::cout << fmt::format("  {:>2}  {:>9}  {:>9.4g}  {:>5.1f}%  {:>10}  {:<22}  {}{}\n", i + 1,
                             seconds_text(row.makespan), figures[i].throughput.tokens_per_second,
                             100 * figures[i].throughput.mfu, bytes_text(row.peak_memory_bytes), figures[i].binds,
                             layout_text(row.layout),
                             row.alike > 0 ? fmt::format(" (+{} alike)", row.alike) : "");
  }
  if (std::any_of(r.ranked.begin(), r.ranked.end(), [](const PlannedLayout& row) { return row.alike > 0; })) {
    std::cout << "  (+N alike: as many other layouts take the same step and memory, dp, cp and the microbatch size "
                 "traded; --json counts them)\n";
  }
  const PlannedLayout& best = r.ranked.front();
  std::cout << "\nfastest that fits: pipescope stats " << layout_flags(best.layout) << "\n";
  if (best.layout.schedule == ScheduleKind::Auto) {
    std::cout << "  (--schedule auto searches its order again when opened; `schedule --format csv` writes it for "
                 "PyTorch)\n";
  }
  if (r.fastest && !r.fastest->fits && r.fastest->makespan < best.makespan) {
    std::cout << fmt::format("memory binds: {} is {} faster but needs {} on a GPU ({})\n",
                             layout_text(r.fastest->layout), seconds_text(best.makespan - r.fastest->makespan),
                             bytes_text(r.fastest->peak_memory_bytes), number_text(p.gpu_memory_gib) + " GiB fit");
  }
  // Thinned for reading: each line at least 5 % faster than the one above (--json has them all).
  std::cout << "\nmemory-versus-time front (no layout is both smaller and faster; --json lists all " << r.front.size()
            << "):\n";
  std::int64_t shown = INT64_MAX;
  for (const PlannedLayout& f : r.front) {
    const bool last = &f == &r.front.back();
    if (!last && static_cast<double>(f.makespan) > 0.95 * static_cast<double>(shown)) continue;
    shown = f.makespan;
    std::cout << fmt::format("  {:>10}  {:>9}  {}  {}\n", bytes_text(f.peak_memory_bytes), seconds_text(f.makespan),
                             f.fits ? "fits" : "over", layout_text(f.layout));
  }
}

}  // namespace

CLI::App* add_plan_command(CLI::App& cli, PlanCommandOptions& o) {
  CLI::App* cmd = cli.add_subcommand(
      "plan",
      "Find the fastest layouts of a model on N GPUs that fit: tp, cp, ep, pp, dp, interleaving, microbatch size, "
      "recomputation, ZeRO stage and schedule, each simulated.");
  cmd->add_option("--gpus", o.gpus, "how many GPUs to lay the model out on")->required();
  cmd->add_option("--fix", o.fixes,
                  "hold a layout choice, key=value (repeatable): tp, cp, ep, pp, dp, chunks, microbatches, "
                  "microbatch-size, zero, recompute, schedule")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',')
      ->type_name("KEY=VALUE");
  cmd->add_option("--top", o.top, "how many layouts to list")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--seconds", o.seconds, "time budget: past it, the best found by then")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_flag("--json", o.json, "print JSON instead of text");
  cmd->add_option("--format", o.format, "text or csv (the ranked layouts, one a line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "csv"}));
  cmd->add_option("--save-best", o.save_best, "write the fastest layout that fits as a session (--session FILE opens it)")
      ->type_name("FILE.json");
  add_param_flags(*cmd, o.params);
  return cmd;
}

int run_plan(const PlanCommandOptions& o) {
  PlanOptions options;
  options.gpus = o.gpus;
  options.top = o.top;
  for (const std::string& fix : o.fixes) {
    if (const std::string why = add_constraint(options.fixed, fix); !why.empty()) {
      std::cerr << "pipescope: plan: --fix " << why << "\n";
      return 2;
    }
  }
  // Said before the search, not after it.
  if (!o.save_best.empty()) {
    if (const std::string why = unwritable_reason("--save-best", o.save_best); !why.empty()) {
      std::cerr << "pipescope: plan: " << why << "\n";
      return 2;
    }
  }
  const InterruptWatch interrupts;
  options.cancel = &InterruptWatch::flag();
  options.deadline = std::chrono::steady_clock::now() +
                     std::chrono::microseconds(static_cast<std::int64_t>(o.seconds * 1e6));
  PlanResult r;
  try {
    r = plan_layouts(o.params, options);
  } catch (const PlanError& e) {
    std::cerr << "pipescope: plan: " << e.what() << "\n";
    return 2;
  }
  if (r.cancelled) {
    std::cerr << "pipescope: plan: interrupted\n";
    return kExitInterrupted;
  }
  std::vector<LayoutFigures> figures;
  for (const PlannedLayout& row : r.ranked) figures.push_back(layout_figures(o.params, row));
  if (!o.save_best.empty()) {
    Session s;
    s.params = figures.front().params;
    s.description = fmt::format("pipescope plan's fastest layout on {} GPUs: {}", o.gpus, layout_text(r.ranked.front().layout));
    try {
      const std::filesystem::path path(o.save_best);
      write_whole_file(o.save_best, session_json(s, path.parent_path()));
    } catch (const OutputError& e) {
      std::cerr << "pipescope: plan: " << e.what() << "\n";
      return 1;
    }
  }
  if (o.json) {
    nlohmann::json j;
    j["gpus"] = o.gpus;
    j["gpu_memory_bytes"] = o.params.gpu_memory_gib * kGiB;
    j["evaluated"] = r.evaluated;
    j["simulated"] = r.simulated;
    j["auto_searched"] = r.auto_searched;
    j["seconds"] = r.seconds;
    j["stopped_at_deadline"] = r.stopped_at_deadline;
    j["layouts"] = nlohmann::json::array();
    for (std::size_t i = 0; i < r.ranked.size(); ++i) j["layouts"].push_back(ranked_json(r.ranked[i], figures[i]));
    j["front"] = nlohmann::json::array();
    for (const PlannedLayout& f : r.front) j["front"].push_back(layout_json(f));
    if (r.fastest) j["fastest_any_memory"] = layout_json(*r.fastest);
    std::cout << j.dump(2) << "\n";
  } else if (o.format == "csv") {
    std::cout << csv_of(r.ranked, figures);
  } else {
    print_text(o, r, figures);
  }
  if (!o.save_best.empty() && !o.json && o.format != "csv") std::cout << "wrote " << o.save_best << "\n";
  return finish_standard_output("plan");
}

}  // namespace pipescope::app
