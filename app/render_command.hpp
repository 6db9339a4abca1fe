#pragma once
// `pipescope render`: one frame to a PNG, with no window system.

#include <CLI/CLI.hpp>
#include <string>

#include "pipescope/params.hpp"

namespace pipescope::app {

struct RenderOptions {
  Params params;
  std::int64_t frame = 0;
  std::string output;
  std::string size = "1600x1600";  // the notebook's figure: 16 in at 100 dpi
  std::string view = "notebook";
  std::string projection = "perspective";
  std::string font;
  bool transparent = false;
  bool no_labels = false, all_labels = false, no_edges = false, no_axes = false;
  double scale = 1.0;
};

void add_render_flags(CLI::App& cmd, RenderOptions& options);
int run_render(const RenderOptions& options);

// "1920x1080" -> width, height; false with `error` set otherwise.
bool parse_size(const std::string& text, int& width, int& height, std::string& error);

}  // namespace pipescope::app
