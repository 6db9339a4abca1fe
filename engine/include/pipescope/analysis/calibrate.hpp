#pragma once
// Fitting the cost model's free parameters (the hardware profile's
// efficiency terms, cost_model.hpp) to measured step times: each row is a
// run's parameters and the step time it measured; the fit minimises the mean
// squared log error of the simulated makespan (the same simulation as every
// other figure) by Nelder-Mead over the parameters' logarithms.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "pipescope/model/params.hpp"

namespace pipescope {

// What calibrate fits, by parameter key; everything else is given.
inline constexpr std::array<std::string_view, 6> kFittedKeys = {
    "mfu", "matmul_knee_gflop", "attention_score_bytes", "collective_efficiency", "layer_floor_us", "pass_overhead_us"};

struct CalibrationRow {
  Params params;  // valid
  double step_ms = 0;
  std::size_t line = 0;  // in its file, for messages
};

struct RowPrediction {
  std::size_t row = 0;  // index into the rows
  double predicted_ms = 0, measured_ms = 0;
  double error() const { return predicted_ms / measured_ms - 1; }  // signed, relative
};

struct CalibrationOptions {
  double holdout_fraction = 0;                   // rows kept out of the fit at random
  std::optional<std::int64_t> holdout_gpus_above;  // rows on more GPUs kept out of the fit
  std::uint32_t seed = 1;                         // of the random holdout
  int max_evaluations = 6000;                     // of the whole loss
};

struct CalibrationResult {
  std::vector<double> values;  // one per kFittedKeys
  std::vector<RowPrediction> fit, held_out;
  int evaluations = 0;
};

// Mean of |predicted / measured - 1|; 0 for none.
double mean_absolute_error(const std::vector<RowPrediction>& rows);

// Puts the fitted values into p.
void apply_fitted(Params& p, const std::vector<double>& values);

// The fit. Throws std::invalid_argument when no row is left to fit.
CalibrationResult calibrate(const std::vector<CalibrationRow>& rows, const CalibrationOptions& options);

}  // namespace pipescope
