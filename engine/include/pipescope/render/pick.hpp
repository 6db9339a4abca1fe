#pragma once
// Which object is under a point of the view: the nearest visible box the
// ray through that point hits. CPU only (the scene's boxes are in the
// layout), so it is tested without GL and costs one pass over the objects.

#include <optional>
#include <string>
#include <vector>

#include "pipescope/render/camera.hpp"
#include "pipescope/model/layout.hpp"
#include "pipescope/model/visual_state.hpp"

namespace pipescope {

// `ndc`: the point in normalised device coordinates (-1..1, y up); `aspect`:
// the view's width / height. Hidden objects are not hit.
std::optional<ObjectIndex> pick_object(const Layout& layout, const std::vector<VisualState>& state,
                                       const Camera& camera, float aspect, glm::vec2 ndc);

// What an object is, in a line: id, kind, replica, layer or stage, the rank
// holding it, microbatch and state.
std::string describe_object(const Layout& layout, ObjectIndex i, VisualState state);

// The stage an object belongs to (for a send, the stage it leaves).
int stage_of(const Layout& layout, ObjectIndex i);

}  // namespace pipescope
