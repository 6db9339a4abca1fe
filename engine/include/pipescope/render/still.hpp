#pragma once
// One frame to an image: the single offscreen path behind screenshots,
// `pipescope render`, the render tests and video export.

#include <string>

#include "pipescope/render/camera.hpp"
#include "pipescope/export/png.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/render/scene_renderer.hpp"

namespace pipescope {

// Draws what `renderer` holds into an offscreen target of width x height
// and reads it back. Needs the renderer's context current.
Image render_still(SceneRenderer& renderer, const Camera& camera, int width, int height,
                   const RenderStyle& style);

// The camera as "key=value" text, parsed back by parse_camera_text.
std::string camera_text(const Camera& c);

// Metadata for an exported image: parameters, frame and camera.
PngText still_metadata(const Params& params, std::uint32_t frame, const Camera& camera);

// What a fitted camera frames: every object and the axis arrows' labels.
Box framing_bounds(const Layout& layout);

// The notebook's framing: a preset view, fitted to framing_bounds.
Camera fitted_camera(const Layout& layout, ViewPreset preset, Projection projection, float aspect);
// The same, for a video turning `orbit_degrees`: the scene stays in frame
// all the way round (Camera::fit_orbit).
Camera fitted_orbit_camera(const Layout& layout, ViewPreset preset, Projection projection, float aspect,
                           float orbit_degrees);

}  // namespace pipescope
