#include "pipescope/render/still.hpp"

#include <fmt/format.h>

#include "pipescope/render/labels.hpp"
#include "pipescope/animate/scene.hpp"

#include <algorithm>

namespace pipescope {

Image render_still(SceneRenderer& renderer, const Camera& camera, int width, int height,
                   const RenderStyle& style) {
  OffscreenTarget target(width, height);
  target.bind();
  renderer.draw(camera, width, height, style);
  Image image = target.read();
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  return image;
}

std::string camera_text(const Camera& c) {
  return fmt::format("target={:.4f},{:.4f},{:.4f} distance={:.4f} azimuth={:.3f} elevation={:.3f} fov={:.2f} {}",
                     c.target.x, c.target.y, c.target.z, c.distance, c.azimuth, c.elevation, c.fov_y,
                     c.projection == Projection::Orthographic ? "orthographic" : "perspective");
}

PngText still_metadata(const Params& params, std::uint32_t frame, const Camera& camera) {
  return {{"Software", "pipescope"},
          {"pipescope.params", params_json(params)},
          {"pipescope.frame", std::to_string(frame)},
          {"pipescope.camera", camera_text(camera)}};
}

Box framing_bounds(const Layout& layout) {
  // The axis arrows' labels sit outside the objects' box.
  Box bounds = layout.bounds();
  if (layout.layer_view() != nullptr) return bounds;  // drawn without the pipeline's axes
  for (const AxisArrow& a : notebook_axes(layout.params())) {
    for (const glm::vec3& p : {a.from, a.to, a.label_at}) {
      for (int i = 0; i < 3; ++i) {
        bounds.lo[i] = std::min(bounds.lo[i], static_cast<double>(p[i]) - 2.0);
        bounds.hi[i] = std::max(bounds.hi[i], static_cast<double>(p[i]) + 2.0);
      }
    }
  }
  return bounds;
}

Camera fitted_camera(const Layout& layout, ViewPreset preset, Projection projection, float aspect) {
  Camera c;
  c.projection = projection;
  c.set_preset(preset);
  c.fit(framing_bounds(layout), aspect);
  return c;
}

Camera fitted_orbit_camera(const Layout& layout, ViewPreset preset, Projection projection, float aspect,
                           float orbit_degrees) {
  Camera c;
  c.projection = projection;
  c.set_preset(preset);
  c.fit_orbit(framing_bounds(layout), aspect, orbit_degrees);
  return c;
}

}  // namespace pipescope
