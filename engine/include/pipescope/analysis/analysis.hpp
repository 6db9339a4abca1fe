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
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

struct ScheduleAnalysis {
  Params params;
  SchedulePlan plan;
  std::vector<Lane> lanes;
  ScheduleStats stats;
  std::vector<std::vector<MemoryPoint>> memory;  // activation bytes per rank over time
};

// Requires validate(p) to be empty.
std::shared_ptr<const ScheduleAnalysis> analyse(const Params& p);

}  // namespace pipescope
