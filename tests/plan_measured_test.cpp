// The planner against measured Megatron steps (vTrain's 1,481, on A100s,
// tests/data/measured-step-times): for each model, batch and GPU count,
// the layouts people ran, ranked by pipescope's prediction (the shipped
// a100-megatron profile), put the measured fastest in the top 3; and `plan`
// over the same GPUs finds a layout predicted at least as fast as every one
// of them.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <fmt/format.h>

#include "pipescope/model/param_table.hpp"
#include "pipescope/plan/planner.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace {

using namespace pipescope;

const std::string kRuns = std::string(PIPESCOPE_TEST_DATA) + "/measured-step-times/megatron-a100.csv";
const std::string kProfile = std::string(PIPESCOPE_ASSETS) + "/hardware/a100-megatron.json";

// The README's settings every row shares, and the fitted profile's terms.
Params megatron_base() {
  Params p;
  p.model = CostModel::Transformer;
  p.vocab = 50257;
  p.recompute = static_cast<std::int64_t>(Recompute::Full);
  p.schedule = ScheduleKind::OneFOneB;
  std::ifstream in(kProfile);
  const nlohmann::json profile = nlohmann::json::parse(in);
  for (const auto& [key, value] : profile.at("params").items()) {
    const ParamSpec* spec = param_spec(key);
    if (spec == nullptr) ADD_FAILURE() << "unknown profile key " << key;
    else if (spec->type() == ParamType::Integer) spec->set(p, value.get<std::int64_t>());
    else if (spec->type() == ParamType::Number) p.*spec->number = value.get<double>();
    else if (spec->type() == ParamType::OptionalNumber) p.*spec->optional_number = value.get<double>();
  }
  return p;
}

struct MeasuredRun {
  Params params;
  double measured_ms;
};

// Rows grouped by what a user holds fixed: model, batch and GPUs.
std::map<std::string, std::vector<MeasuredRun>> runs_by_problem() {
  std::ifstream in(kRuns);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();  // the file's lines end in CR LF
  EXPECT_EQ(line, "d-model,heads,layers,seq-len,batch,microbatches,tp,dp,pp,step_ms");
  std::map<std::string, std::vector<MeasuredRun>> groups;
  const Params base = megatron_base();
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::vector<double> v;
    for (std::string cell; std::getline(cells, cell, ',');) v.push_back(std::stod(cell));
    Params p = base;
    p.d_model = static_cast<std::int64_t>(v[0]);
    p.heads = static_cast<std::int64_t>(v[1]);
    p.L = static_cast<std::int64_t>(v[2]);
    p.seq_len = static_cast<std::int64_t>(v[3]);
    p.B = static_cast<std::int64_t>(v[4]);
    p.microbatches = static_cast<std::int64_t>(v[5]);
    p.tp = static_cast<std::int64_t>(v[6]);
    p.dp = static_cast<std::int64_t>(v[7]);
    p.pp = static_cast<std::int64_t>(v[8]);
    const std::string key = fmt::format("h {} a {} L {} s {} batch {} on {} GPUs", p.d_model, *p.heads, p.L,
                                        p.seq_len, p.B, p.gpus());
    groups[key].push_back({p, v[9]});
  }
  return groups;
}

TEST(PlannerOnMeasuredRuns, TheMeasuredFastestIsInThePredictedTopThree) {
  int groups = 0, in_top3 = 0, first = 0;
  for (const auto& [key, runs] : runs_by_problem()) {
    if (runs.size() < 4) continue;  // a top 3 of three or fewer says nothing
    std::vector<std::pair<std::int64_t, double>> predicted_measured;
    for (const MeasuredRun& r : runs) {
      ASSERT_TRUE(validate(r.params, ValidationScope::Figures).empty()) << key;
      predicted_measured.emplace_back(make_plan(r.params).timing.makespan, r.measured_ms);
    }
    std::sort(predicted_measured.begin(), predicted_measured.end());
    const double fastest = std::min_element(runs.begin(), runs.end(), [](const MeasuredRun& a, const MeasuredRun& b) {
                             return a.measured_ms < b.measured_ms;
                           })->measured_ms;
    ++groups;
    for (std::size_t i = 0; i < 3; ++i) {
      if (predicted_measured[i].second == fastest) {
        ++in_top3;
        if (i == 0) ++first;
        break;
      }
    }
  }
  std::printf("measured fastest in the predicted top 3: %d of %d problems (first: %d)\n", in_top3, groups, first);
  EXPECT_EQ(groups, 122);
  EXPECT_GE(in_top3, groups * 85 / 100);
}

TEST(PlannerOnMeasuredRuns, PlanFindsALayoutAtLeastAsFastAsEveryMeasuredOne) {
  int problems = 0, faster = 0;
  for (const auto& [key, runs] : runs_by_problem()) {
    std::int64_t best_measured_layout = INT64_MAX;
    for (const MeasuredRun& r : runs) best_measured_layout = std::min(best_measured_layout, make_plan(r.params).timing.makespan);
    PlanOptions o;
    o.gpus = static_cast<std::int64_t>(runs.front().params.gpus());
    o.top = 1;
    o.auto_shapes = 0;
    const PlanResult plan = plan_layouts(runs.front().params, o);
    ASSERT_FALSE(plan.ranked.empty()) << key;
    EXPECT_LE(plan.ranked.front().makespan, best_measured_layout) << key;
    ++problems;
    if (plan.ranked.front().makespan < best_measured_layout) ++faster;
  }
  std::printf("plan at least as fast as every measured layout on %d problems; strictly faster on %d\n", problems,
              faster);
  EXPECT_EQ(problems, 146);
}

}  // namespace
