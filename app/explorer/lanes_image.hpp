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
};

// `frame`: where the playhead is drawn. `font_file`: TrueType font for the text.
LanesImage render_lanes_image(const Params& params, int width, int height, std::uint32_t frame,
                              const std::string& font_file);

}  // namespace pipescope::app
