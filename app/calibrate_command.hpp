#pragma once
// `pipescope calibrate RUNS.csv [flags] -o FILE`: fits the cost model's
// efficiency terms to measured step times and writes a hardware profile
// (--hardware FILE reads it back).

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "pipescope/model/params.hpp"

namespace pipescope::app {

struct CalibrateOptions {
  Params params;  // what every row shares; a row's columns override it
  std::string runs, output, predictions;
  double holdout = 0;
  std::optional<std::int64_t> holdout_gpus_above;
  unsigned seed = 1;
};

CLI::App* add_calibrate_command(CLI::App& cli, CalibrateOptions& options);
int run_calibrate(const CalibrateOptions& options);

}  // namespace pipescope::app
