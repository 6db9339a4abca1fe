#pragma once
// "Why is this rank slow": the slowest rank's extra time split into its
// own compute being slower (and the operators that took longer), waiting on
// its peers and time inside communication, said in one paragraph.

#include <string>

#include "pipescope/measured/measured_plan.hpp"

namespace pipescope {

// "" when the split names no slowest rank.
std::string why_slow(const MeasuredRun& run, const MeasuredSplit& split);

}  // namespace pipescope
