#include "cli.hpp"

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dump_command.hpp"
#include "explorer/explorer.hpp"
#include "input_checks.hpp"
#include "param_flags.hpp"
#include "render_command.hpp"
#include "schedule_command.hpp"

namespace pipescope::app {

namespace {
constexpr const char* kExitCodes = "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n";
}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"pipescope: see a distributed-training schedule (data and pipeline parallelism) "
               "as translucent 3D FLOP cuboids, step by step.",
               "pipescope"};
  cli.require_subcommand(0, 1);
  cli.set_version_flag("--version", "pipescope " PIPESCOPE_VERSION);

  // No command: the explorer, on the same parameter flags.
  ExplorerOptions explorer;
  add_param_flags(cli, explorer.params);
  cli.add_option("--font", explorer.font, "font file for labels (default: DejaVu Sans via fontconfig)");
  cli.add_option("--screenshot-dir", explorer.screenshot_folder, "where F12 and Export write PNGs")
      ->capture_default_str();
  std::string window_size = "1600x1000";
  cli.add_option("--window", window_size, "window size, WIDTHxHEIGHT")->capture_default_str();
  cli.add_flag("--log-state", explorer.log_state, "print a line on each change (for scripted tests)");

  DumpOptions dump;
  CLI::App* dump_cmd = cli.add_subcommand(
      "dump", "Write every frame's object states as JSON Lines (the oracle format).");
  add_param_flags(*dump_cmd, dump.params);
  dump_cmd->add_option("-o,--output", dump.output, "output file; - is standard output")
      ->capture_default_str();

  RenderOptions render;
  CLI::App* render_cmd = cli.add_subcommand(
      "render", "Draw one frame to a PNG, headless (no window system needed).");
  add_render_flags(*render_cmd, render);

  ScheduleOptions schedule;
  StatsOptions stats;
  CLI::App* schedule_cmd = nullptr;
  CLI::App* stats_cmd = nullptr;
  add_schedule_commands(cli, schedule, stats, schedule_cmd, stats_cmd);

  // Set last: subcommands copy their parent's footer when they are made.
  cli.footer(
      "Without a command, pipescope opens the explorer window on the scene the flags describe.\n"
      "  Mouse: left drag orbits, right or middle drag pans, the wheel zooms toward the cursor.\n"
      "  Keys: Space play/pause, Left/Right step a frame, Home/End jump, R resets the view,\n"
      "        1-4 notebook/front/top/side views, F12 saves a screenshot.\n"
      "Headless: 'pipescope render --frame K -o out.png' draws one frame;\n"
      "          'pipescope render --video out.mp4' exports a video (mp4, webm, gif, PNG sequence);\n"
      "          'pipescope dump' writes every frame's object states as JSON Lines.\n"
      "Schedules: --schedule gpipe|1f1b|interleaved-1f1b|zb-h1|zb-v|dualpipe-v|... on any command;\n"
      "          'pipescope schedule' prints each rank's program and timing (--format csv: PyTorch's),\n"
      "          'pipescope stats' the makespan, bubble, activation memory and traffic.\n"
      "Exit codes: 0 done, 1 failed, 2 bad usage or parameters, 130 interrupted.\n");
  for (CLI::App* sub : {dump_cmd, render_cmd, schedule_cmd}) sub->footer(kExitCodes);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line that names the flag, then where to look.
    std::cerr << "pipescope: " << e.what() << " (see pipescope --help)\n";
    return 2;
  }

  if (dump_cmd->parsed()) {
    if (report_invalid(dump.params)) return 2;
    return run_dump(dump);
  }
  if (render_cmd->parsed()) return run_render(render);
  if (schedule_cmd->parsed()) return report_invalid(schedule.params) ? 2 : run_schedule(schedule);
  if (stats_cmd->parsed()) return report_invalid(stats.params) ? 2 : run_stats(stats);

  if (report_invalid(explorer.params)) return 2;
  std::string error;
  if (!parse_size(window_size, explorer.width, explorer.height, error)) {
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

}  // namespace pipescope::app
