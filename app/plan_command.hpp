#pragma once
// `pipescope plan --gpus N [model, cluster and --hardware flags]`: the
// fastest layouts of the model on N GPUs that fit (planner.hpp), as text,
// JSON or CSV, with the memory-versus-time front; --save-best writes the
// fastest as a session every command opens.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipescope/model/params.hpp"

namespace pipescope::app {

struct PlanCommandOptions {
  Params params;
  std::int64_t gpus = 0;
  std::vector<std::string> fixes;  // "tp=8"
  int top = 10;
  double seconds = 60;
  bool json = false;
  std::string format = "text";
  std::string save_best;
};

CLI::App* add_plan_command(CLI::App& cli, PlanCommandOptions& options);
int run_plan(const PlanCommandOptions& options);

}  // namespace pipescope::app
