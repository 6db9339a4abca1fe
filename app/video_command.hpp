#pragma once
// `pipescope render --video`: every frame of a range, encoded as it renders.

#include "pipescope/render/camera.hpp"
#include "pipescope/animate/scene.hpp"
#include "render_command.hpp"

namespace pipescope::app {

int run_video(const RenderOptions& options, Scene& scene, ViewPreset preset, Projection projection, int width,
              int height);

}  // namespace pipescope::app
