#include "pipescope/analysis/analysis.hpp"

namespace pipescope {

std::shared_ptr<const ScheduleAnalysis> analyse(const Params& p) {
  auto a = std::make_shared<ScheduleAnalysis>();
  a->params = p;
  a->plan = make_plan(p);
  a->lanes = make_lanes(a->plan);
  a->stats = schedule_stats(p, a->plan);
  a->memory = activation_memory(p, a->plan);
  return a;
}

}  // namespace pipescope
