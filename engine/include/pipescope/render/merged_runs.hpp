#pragma once
// Level of detail for scenes with many microbatches. Where one microbatch's
// slab is only a few pixels tall, its faces and cuboids are drawn merged with
// their neighbours: the consecutive microbatches of one layer (or one stage,
// for stage inputs and sends) that show the same state become one box. What
// the scene says is kept (every lit, dim, green or red object is still
// covered, in its colour); what goes is the edge between two microbatches,
// which at that size is a smear of lines, and most of the work: the large
// scene (dp 8, pp 8, L 64, 64 microbatches) draws ~70,000 quads full and
// ~2,000 merged. Pure CPU: tested without a GL context.

#include <cstdint>
#include <span>
#include <vector>

#include "pipescope/model/layout.hpp"
#include "pipescope/render/camera.hpp"

namespace pipescope {

struct MergedRun {
  Box box;              // the union of the run's boxes
  ObjectIndex first;    // its first object: kind, replica, layer and label
  std::uint32_t count;  // objects merged into it (1: drawn as it is)
  VisualState state;
};

// Every visible object of `states` (one per layout object) in exactly one
// run; hidden objects in none.
std::vector<MergedRun> merge_microbatch_runs(const Layout& layout, std::span<const VisualState> states);

// How tall one microbatch's slab is drawn, in pixels of a viewport `height`
// tall, at the camera's target distance (where the fitted scene sits).
float microbatch_pixels(const Layout& layout, const Camera& camera, int height);

// Below this height microbatches are merged: two pixels of edge on each side
// of a slab leave nothing of its fill to read.
inline constexpr float kMergeMicrobatchesBelowPx = 6.0f;

}  // namespace pipescope
