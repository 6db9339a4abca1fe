#pragma once
// An orbit camera in the notebook's world (z up, as matplotlib draws it):
// it looks at `target` from `distance` away, at `azimuth` around z and
// `elevation` above the x-y plane, both in degrees as matplotlib's view_init.
// Pure math: no GL, so it is tested on the CPU and shared by every front end.

#include <glm/glm.hpp>
#include <string_view>

#include "pipescope/model/layout.hpp"

namespace pipescope {

enum class Projection { Perspective, Orthographic };

enum class ViewPreset {
  Notebook,  // matplotlib's default 3D view: elevation 30, azimuth -60
  Front,     // looking along +y (the batch axis) at the layers
  Top,       // looking down -z
  Side,      // looking along -x, down the layer axis
};

// Parses "notebook", "front", "top", "side"; false for anything else.
bool parse_view_preset(std::string_view name, ViewPreset& out);
std::string_view view_preset_name(ViewPreset v);

struct Camera {
  glm::vec3 target{0.0f};
  float distance = 100.0f;
  float azimuth = -60.0f;    // degrees
  float elevation = 30.0f;   // degrees, clamped to (-90, 90)
  float fov_y = 30.0f;       // degrees, perspective only
  Projection projection = Projection::Perspective;

  glm::vec3 eye() const;
  glm::vec3 forward() const;  // unit vector from eye toward target
  glm::mat4 view() const;
  // aspect = width / height of the viewport.
  glm::mat4 projection_matrix(float aspect) const;
  glm::mat4 view_projection(float aspect) const { return projection_matrix(aspect) * view(); }

  // Moves target and distance so the box fills the view (with a margin),
  // keeping the direction.
  void fit(const Box& bounds, float aspect);
  // As fit, but so that the box stays in view at every azimuth of an orbit
  // turning `degrees` from this one (a video's --orbit): the farthest of
  // the fits along it, checked every few degrees and at its end.
  void fit_orbit(const Box& bounds, float aspect, float degrees);
  void set_preset(ViewPreset preset);

  // Interaction, in screen terms (pixels of a viewport `height` tall).
  void orbit(float dx_px, float dy_px);
  void pan(float dx_px, float dy_px, float viewport_height);
  // Zooms by `factor` (< 1 moves closer) toward the point under the cursor,
  // given in normalised device coordinates (-1..1).
  void zoom_toward(float factor, glm::vec2 ndc, float aspect);

  // Half the height of the view at the target, in world units.
  float half_height_at_target() const;
};

}  // namespace pipescope
