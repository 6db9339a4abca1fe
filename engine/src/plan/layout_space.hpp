#pragma once
// Inside the planner: the space of layouts it searches. Every shape (tp, cp,
// ep, pp, dp, stages a rank, microbatching, recomputation) the rules allow on
// a number of GPUs, the schedules tried for each, and why there are none.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipescope/plan/parallel_layout.hpp"

namespace pipescope::detail {

template <typename T>
bool fixed_allows(const std::optional<T>& fixed, const T& v) {
  return !fixed || *fixed == v;
}

// The schedules tried for a pipeline of pp ranks and v stages a rank.
std::vector<ScheduleKind> schedules_for(std::int64_t pp, std::int64_t v);

// Every shape the layout rules allow on `gpus` (the schedule and ZeRO stage
// come later); `stop_at_one`: only whether there is any.
std::vector<ParallelLayout> shapes_of(const Params& base, std::int64_t gpus, const LayoutConstraints& fixed,
                                      bool stop_at_one = false);

// Why shapes_of gave none: the GPU count (with counts that work near it), a
// fix no layout has, or fixes that cannot hold together.
std::string why_no_shape(const Params& base, std::int64_t gpus, const LayoutConstraints& fixed);

}  // namespace pipescope::detail
