#include "cli.hpp"

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dump_command.hpp"
#include "explorer/explorer.hpp"
#include "input_checks.hpp"
#include "param_flags.hpp"
#include "pipescope/plan/auto_shape.hpp"
#include "presets.hpp"
#include "render_command.hpp"
#include "schedule_command.hpp"

namespace pipescope::app {

namespace {
constexpr const char* kExitCodes = "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n";
}  // namespace

CommandLine::CommandLine()
    : cli_("pipescope: see a distributed-training schedule (data and pipeline parallelism) "
           "as translucent 3D FLOP cuboids, step by step.",
           "pipescope") {
  CLI::App& cli = cli_;
  // A flag given twice: the last wins, as most tools do (a shell alias plus
  // a flag typed after it must not be refused). Subcommands inherit it.
  cli.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli.require_subcommand(0, 1);
  cli.set_version_flag("--version", "pipescope " PIPESCOPE_VERSION);

  // No command: the explorer, on the same parameter flags.
  ExplorerOptions& explorer = explorer_;
  add_param_flags(
      cli, explorer.params, [&explorer](const Session& s) { explorer.session = s; }, true);
  cli.add_flag_callback(
      "--list-presets",
      [] {
        const auto presets = list_presets();
        if (presets.empty()) std::cout << "no presets found: " << preset_names() << "\n";
        if (const auto folder = presets_folder()) std::cout << "presets in " << folder->string() << ":\n";
        for (const Preset& p : presets) std::cout << p.name << std::string(p.name.size() < 18 ? 18 - p.name.size() : 1, ' ') << p.description << "\n";
        throw CLI::Success();
      },
      "list the presets --preset opens, and exit")
      ->group("Sessions");
  cli.add_option("--font", explorer.font, "font file for labels (default: DejaVu Sans, built in)");
  cli.add_option("--screenshot-dir", explorer.screenshot_folder, "where F12 and Export write PNGs")
      ->capture_default_str();
  cli.add_option("--window", window_size_, "window size, WIDTHxHEIGHT")->capture_default_str();
  cli.add_flag("--log-state", explorer.log_state, "print a line on each change (for scripted tests)");

  DumpOptions& dump = dump_;
  CLI::App*& dump_cmd = dump_cmd_;
  dump_cmd = cli.add_subcommand(
      "dump", "Write every frame's object states as JSON Lines (the oracle format).");
  add_param_flags(*dump_cmd, dump.params);
  dump_cmd->add_flag("--owners", dump.owners,
                     "add \"owners\" to the header: each object's kind, replica, stage, microbatch and GPUs (global "
                     "ranks); without it the header is the notebook recording's, byte for byte");
  dump_cmd->add_flag("--layer-view", dump.layer_view,
                     "dump the layer view (render --layer-view: one transformer layer of one microbatch) instead of "
                     "the pipeline");
  dump_cmd->add_option("-o,--output", dump.output, "output file; - is standard output")
      ->capture_default_str();

  RenderOptions& render = render_;
  CLI::App*& render_cmd = render_cmd_;
  render_cmd = cli.add_subcommand(
      "render", "Draw one frame to a PNG, headless (no window system needed).");
  add_render_flags(*render_cmd, render);

  add_schedule_commands(cli, schedule_, stats_, schedule_cmd_, stats_cmd_);
  add_trace_command(cli, trace_, trace_cmd_);
  calibrate_cmd_ = add_calibrate_command(cli, calibrate_);
  plan_cmd_ = add_plan_command(cli, plan_);

  // Set last: subcommands copy their parent's footer when they are made.
  cli.footer(
      "Without a command, pipescope opens the explorer window on the scene the flags describe.\n"
      "  Mouse: left drag orbits, right or middle drag pans, the wheel zooms toward the cursor.\n"
      "  Keys: Space play/pause, Left/Right step a frame, Home/End jump, R resets the view,\n"
      "        1-4 notebook/front/top/side views, F12 saves a screenshot.\n"
      "Sessions: Ctrl+S saves everything you set, Ctrl+O opens it again (or a PNG pipescope wrote);\n"
      "          --session FILE and --preset NAME start any command from one (--list-presets).\n"
      "Headless: 'pipescope render --frame K -o out.png' draws one frame;\n"
      "          'pipescope render --video out.mp4' exports a video (mp4, webm, gif, PNG sequence);\n"
      "          'pipescope dump' writes every frame's object states as JSON Lines.\n"
      "Schedules: --schedule gpipe|1f1b|interleaved-1f1b|zb-h1|zb-v|dualpipe-v|... on any command;\n"
      "          'pipescope schedule' prints each rank's program and timing (--format csv: PyTorch's),\n"
      "          'pipescope stats' the makespan, bubble, activation memory and traffic;\n"
      "          'pipescope trace -o run.json' a Chrome trace for Perfetto.\n"
      "Planning: 'pipescope plan --gpus N --preset llama3-70b-h100' ranks every layout (tp, cp, ep, pp, dp,\n"
      "          microbatches, recomputation, ZeRO, schedule) that fits, fastest first.\n"
      "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n");
  for (CLI::App* sub : {dump_cmd_, render_cmd_, schedule_cmd_, calibrate_cmd_, plan_cmd_}) sub->footer(kExitCodes);
}

std::optional<int> CommandLine::parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli_.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return cli_.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return cli_.exit(e, out, err);
  } catch (const CLI::Success&) {
    return 0;
  } catch (const CLI::ParseError& e) {
    // One line that names the flag, then where to look.
    err << "pipescope: " << e.what() << " (see pipescope --help)\n";
    return 2;
  }
  return std::nullopt;
}

const Params& CommandLine::params() const {
  if (dump_cmd_->parsed()) return dump_.params;
  if (render_cmd_->parsed()) return render_.params;
  if (schedule_cmd_->parsed()) return schedule_.params;
  if (stats_cmd_->parsed()) return stats_.params;
  if (trace_cmd_->parsed()) return trace_.params;
  return explorer_.params;
}

int CommandLine::run() {
  // Its flags are every row's base, not a run of their own: each row is checked.
  if (calibrate_cmd_->parsed()) return run_calibrate(calibrate_);
  // Its flags give the model and cluster; every layout it tries is checked.
  if (plan_cmd_->parsed()) return run_plan(plan_);
  if (report_invalid(params())) return 2;
  // --schedule auto with no --chunks picks the pipeline's shape first: every
  // command (and the explorer) then reads the same stages. The exact tier
  // and its LP solve the shape given (one stage a rank unless --chunks).
  const bool exact = schedule_cmd_->parsed() && (schedule_.exact || schedule_.format == "lp");
  if (auto shape = exact ? std::nullopt : choose_auto_shape(params())) {
    const_cast<Params&>(params()) = shape->params;
    std::cerr << "pipescope: " << shape->note << "\n";
  }
  if (dump_cmd_->parsed()) return run_dump(dump_);
  if (render_cmd_->parsed()) return run_render(render_);
  if (schedule_cmd_->parsed()) return run_schedule(schedule_);
  if (stats_cmd_->parsed()) return run_stats(stats_);
  if (trace_cmd_->parsed()) return run_trace(trace_);

  ExplorerOptions& explorer = explorer_;
  std::string error;
  if (!parse_size(window_size_, explorer.width, explorer.height, error)) {
    std::cerr << "pipescope: --window" << error.substr(error.find(':')) << "\n";
    return 2;
  }
  if (!explorer.font.empty()) {
    if (const std::string why = unusable_font_reason("--font", explorer.font); !why.empty()) {
      std::cerr << "pipescope: " << why << "\n";
      return 2;
    }
  }
  // A screenshot folder that cannot take files is said now, not at the first F12.
  if (const std::string why = unwritable_reason("--screenshot-dir", explorer.screenshot_folder + "/pipescope.png");
      !why.empty()) {
    std::cerr << "pipescope: " << why << "\n";
    return 2;
  }
  return run_explorer(explorer);
}

int run_cli(int argc, char** argv) {
  CommandLine command_line;
  if (const auto stop = command_line.parse(argc, argv, std::cout, std::cerr)) return *stop;
  return command_line.run();
}

}  // namespace pipescope::app
