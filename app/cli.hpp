#pragma once
// The command line: every command's flags, parsed apart from running, so the
// parser can be exercised on its own (tests/fuzz does).

#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "calibrate_command.hpp"
#include "plan_command.hpp"
#include "dump_command.hpp"
#include "explorer/explorer.hpp"
#include "render_command.hpp"
#include "schedule_command.hpp"

namespace pipescope::app {

class CommandLine {
 public:
  CommandLine();
  // Parses argv. An exit code when the program should stop here (help and
  // version printed to `out`, a bad flag said in one line on `err`); nothing
  // when a command is ready to run.
  std::optional<int> parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
  // The parsed command's scene parameters (every command has them).
  const Params& params() const;
  // Runs the parsed command; its exit code.
  int run();

 private:
  CLI::App cli_;
  ExplorerOptions explorer_;
  std::string window_size_ = "1600x1000";
  DumpOptions dump_;
  RenderOptions render_;
  ScheduleOptions schedule_;
  StatsOptions stats_;
  TraceOptions trace_;
  CalibrateOptions calibrate_;
  PlanCommandOptions plan_;
  CLI::App* dump_cmd_ = nullptr;
  CLI::App* render_cmd_ = nullptr;
  CLI::App* schedule_cmd_ = nullptr;
  CLI::App* stats_cmd_ = nullptr;
  CLI::App* trace_cmd_ = nullptr;
  CLI::App* calibrate_cmd_ = nullptr;
  CLI::App* plan_cmd_ = nullptr;
};

// Parses the command line and runs the chosen command; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace pipescope::app
