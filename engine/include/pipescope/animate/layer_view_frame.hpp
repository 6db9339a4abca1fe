#pragma once
// Ties the layer view (layer_view.hpp) to a schedule's time: the frame of
// the layer's animation that shows what one pipeline rank is doing then.

#include <cstdint>

#include "pipescope/animate/timeline.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

// At `time` of `plan`, rank `rank` runs a pass or idles. Its forward maps to
// the same share of the layer's forward frames, its input-gradient backward
// (I, or the first part of a full B) to the backward frames, its weight
// gradients (W, or B's rest) to the weight frames; idle is frame 0, the
// layer at rest. `layer` is the layer view's timeline.
std::uint32_t layer_view_frame(const Timeline& layer, const SchedulePlan& plan, std::size_t rank, std::int64_t time);

}  // namespace pipescope
