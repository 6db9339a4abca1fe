// Fitting the cost model to measured steps: rows made by the model itself at
// known efficiency terms must be fitted back to their own times.

#include <gtest/gtest.h>

#include "pipescope/analysis/calibrate.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "support.hpp"

namespace {

using namespace pipescope;

Params megatron_like(std::int64_t h, std::int64_t tp, std::int64_t dp, std::int64_t pp, std::int64_t m,
                     std::int64_t b) {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = h;
  p.heads = 16;
  p.L = 8;
  p.seq_len = 1024;
  p.vocab = 50257;
  p.tp = tp;
  p.dp = dp;
  p.pp = pp;
  p.microbatches = m;
  p.B = b * dp * m;
  p.schedule = ScheduleKind::OneFOneB;
  p.recompute = static_cast<std::int64_t>(Recompute::Full);
  p.gpu_tflops = 312;
  p.intra_node_gbps = 150;
  p.inter_node_gbps = 12.5;
  return p;
}

TEST(Calibrate, RowsMadeAtKnownTermsAreFittedBackToTheirTimes) {
  const std::vector<double> truth = {0.7, 60, 20, 1.5, 800, 500};  // kFittedKeys' order
  std::vector<CalibrationRow> rows;
  std::size_t line = 2;
  // Enough rows (84) that the loss is summed on several threads.
  for (const std::int64_t h : {1024, 2048, 3072}) {
    for (const auto& [tp, dp, pp] : std::vector<std::array<std::int64_t, 3>>{
             {1, 1, 1}, {2, 1, 2}, {4, 2, 1}, {1, 2, 4}, {2, 2, 2}, {8, 1, 1}, {1, 8, 1}}) {
      for (const std::int64_t b : {1, 2, 3, 4}) {
        Params p = megatron_like(h, tp, dp, pp, 4, b);
        ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
        Params at_truth = p;
        apply_fitted(at_truth, truth);
        rows.push_back({p, static_cast<double>(make_plan(at_truth).timing.makespan) / 1e6, line++});
      }
    }
  }
  // Two larger runs, across nodes, kept out of the fit.
  for (const auto& [tp, dp] : std::vector<std::array<std::int64_t, 2>>{{8, 4}, {2, 16}}) {
    Params p = megatron_like(2048, tp, dp, 1, 4, 2);
    Params at_truth = p;
    apply_fitted(at_truth, truth);
    rows.push_back({p, static_cast<double>(make_plan(at_truth).timing.makespan) / 1e6, line++});
  }
  CalibrationOptions o;
  o.holdout_gpus_above = 8;
  o.max_evaluations = 3000;
  const CalibrationResult r = calibrate(rows, o);
  ASSERT_EQ(r.held_out.size(), 2u);
  EXPECT_LT(mean_absolute_error(r.fit), 0.01);
  EXPECT_LT(mean_absolute_error(r.held_out), 0.02);
  EXPECT_EQ(r.values.size(), kFittedKeys.size());
}

TEST(Calibrate, NothingLeftToFitIsSaid) {
  std::vector<CalibrationRow> rows{{megatron_like(1024, 1, 2, 1, 2, 1), 100, 2}};
  CalibrationOptions o;
  o.holdout_gpus_above = 1;
  EXPECT_THROW(calibrate(rows, o), std::invalid_argument);
}

}  // namespace
