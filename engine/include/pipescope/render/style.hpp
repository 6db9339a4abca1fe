#pragma once
// How the scene looks: the notebook's colours, alphas and matplotlib's
// shading, and the switches a viewer can flip.

#include <array>

#include <glm/glm.hpp>

#include "pipescope/model/layout.hpp"
#include "pipescope/model/visual_state.hpp"

namespace pipescope {

// Objects are coloured by group: faces by their state (blue weight, green
// activation, red gradient), FLOP cuboids yellow, communication black.
enum class ColourGroup : int { Face = 0, Flop = 1, Communication = 2 };
constexpr ColourGroup colour_group(ObjectKind k) {
  if (is_face(k)) return ColourGroup::Face;
  return is_communication(k) ? ColourGroup::Communication : ColourGroup::Flop;
}

// Straight-alpha colour of an object of `group` in `state` (alpha 0 if hidden).
glm::vec4 notebook_colour(ColourGroup group, VisualState state);

// matplotlib shades each surface by its normal against a light from
// azimuth 225, altitude 19.47; these are the factors the notebook's faces
// and cuboid sides get, per normal axis (x, y, z).
glm::vec3 notebook_shading(ColourGroup group);

// The edge colour of the weights a pipeline rank (GPU) holds, so its stages
// read as one device when it holds several (interleaved and V schedules).
inline constexpr int kRankTints = 8;
glm::vec3 rank_tint(int rank);

struct RenderStyle {
  bool labels = true;
  // Keep only labels that overlap no nearer one (weights first). Off draws
  // every label, overlapping, as the notebook does.
  bool declutter_labels = true;
  bool edges = true;
  // Weighted blended order-independent transparency instead of sorting:
  // nothing pops as the camera moves, at a fixed cost per pixel.
  bool order_independent = false;
  bool axes = true;
  // Large scenes seen from afar draw consecutive microbatches in the same
  // state as one box (merged_runs.hpp). Off: every object, always.
  bool level_of_detail = true;
  glm::vec4 background{1.0f, 1.0f, 1.0f, 1.0f};  // straight alpha; 0 alpha = transparent PNG
  float edge_px = 1.4f;    // matplotlib's 2-pt edge, the half inside each face
  float line_px = 2.0f;    // axis arrows
  float pixel_scale = 1.0f;  // HiDPI or large exports: widths scale with it
};

}  // namespace pipescope
