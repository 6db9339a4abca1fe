#pragma once
// One schedule analysis: a parameter set's plan (programs, costs, timing),
// its lanes, figures and memory over time, built once per change and read by
// every view (the explorer's scene, lanes, metrics and comparison,
// `render --lanes`, video). Tracy's Worker: one owner of the data, many readers.

#include <memory>
#include <vector>

#include "pipescope/analysis/lanes.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

// A measured step as every view reads it: the plan that replays it as it
// ran, its lanes and figures, and where its difference from the ideal went.
struct MeasuredAnalysis {
  SchedulePlan plan;
  std::vector<Lane> lanes;
  ScheduleStats stats;
  std::vector<std::vector<MemoryPoint>> memory;
  MeasuredSplit split;
};

struct ScheduleAnalysis {
  Params params;
  SchedulePlan plan;
  std::vector<Lane> lanes;
  ScheduleStats stats;
  std::vector<std::vector<MemoryPoint>> memory;  // activation bytes per rank over time
  // With --measured: the step as it ran (`plan` above is its ideal: the
  // same order at the median costs). The scene replays this one.
  std::shared_ptr<const MeasuredAnalysis> measured;
  // The plan the scene animates: the measured step's when there is one.
  const SchedulePlan& scene_plan() const { return measured ? measured->plan : plan; }
};

// Requires validate(p) to be empty.
std::shared_ptr<const ScheduleAnalysis> analyse(const Params& p);

}  // namespace pipescope
