#pragma once
// Mouse and keys over the 3D view, turned into camera and timeline moves:
// left drag orbits, right or middle drag pans, the wheel zooms toward the
// cursor; Space, Left/Right, Home/End drive the timeline; R, 1-4 and F12
// are reported back. Input that ImGui wants (a field being typed in, a
// panel under the mouse) is left alone.

#include <optional>
#include <vector>

#include <glm/glm.hpp>

#include "pipescope/render/camera.hpp"
#include "pipescope/animate/playback.hpp"

namespace pipescope::app {

struct InputResult {
  bool camera_changed = false;
  bool screenshot = false;
  bool reset = false;
  std::optional<ViewPreset> preset;
};

// `origin` and `size`: the 3D view in window coordinates (y down).
// `keys`: GLFW key codes pressed since the last frame.
InputResult handle_viewport_input(Camera& camera, TimelineView& timeline, glm::vec2 origin, glm::vec2 size,
                                  const std::vector<int>& keys);

}  // namespace pipescope::app
