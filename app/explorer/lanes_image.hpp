#pragma once
// The lanes and the activation-memory plot as a picture, drawn by the same
// code as the explorer's panels (Dear ImGui and its OpenGL backend) into an
// offscreen target: `pipescope render --lanes` and the Export panel use it.
// Needs a current OpenGL 3.3 context (a headless one will do).

#include <string>

#include "pipescope/export/png.hpp"
#include "pipescope/model/params.hpp"

namespace pipescope::app {

struct LanesImage {
  Image image;
  // Where the lanes are, for checking a picture against the schedule: the
  // first lane's top-left corner and the lanes' width in pixels, the height
  // of one lane's row and of its block, and the frames they span.
  float x0, y0, width, row, bar;
  double start, span;
  // The compared schedule's first lane's top (its lanes share x0, width,
  // start and span); negative when nothing is compared.
  float compare_y0 = -1;
};

// A schedule drawn beneath the scene's, on the same time axis with its
// playhead at the same time: `params` must be valid.
struct ComparedLanes {
  const Params* params = nullptr;
  std::string name;  // "zb-v"
};

// `frame`: where the playhead is drawn. `font_file`: TrueType font for the text.
LanesImage render_lanes_image(const Params& params, int width, int height, std::uint32_t frame,
                              const std::string& font_file, const ComparedLanes& compare = {});

// Rows the picture's lanes take: the scene's (a measured step's every
// replica and its ideal), and the compared schedule's.
std::int64_t lanes_image_rows(const Params& params, const Params* compare);

}  // namespace pipescope::app
