#pragma once
// The notebook schedule's timed actions, as its own generators time them.

#include "pipescope/schedule/simulate.hpp"

namespace pipescope::detail {

SchedulePlan notebook_plan(const Params& p);

}  // namespace pipescope::detail
