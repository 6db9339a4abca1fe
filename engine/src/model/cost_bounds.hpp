#pragma once
// Validation's bounds on a real-time model's costs (see cost_bounds.cpp).

#include <vector>

#include "pipescope/model/params.hpp"

namespace pipescope {

// Requires every other rule of validate() to hold. Empty for frame-timed parameters.
std::vector<ParamError> cost_bound_rules(const Params& p);

}  // namespace pipescope
