#pragma once
// `pipescope render`: one frame to a PNG, with no window system.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include <memory>

#include "pipescope/render/camera.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/render/style.hpp"

namespace pipescope::app {

struct RenderOptions {
  Params params;
  std::int64_t frame = 0;
  std::string output;
  std::string size = "1600x1600";  // the notebook's figure: 16 in at 100 dpi
  bool size_given = false;         // --size was on the command line (render --lanes fits its height otherwise)
  std::string view = "notebook";
  std::string projection = "perspective";
  std::string transparency = "sorted";
  std::string font;
  bool transparent = false;
  bool no_labels = false, all_labels = false, no_edges = false, no_axes = false, full_detail = false;
  double scale = 1.0;
  // Video: every frame of [from, to] instead of one.
  std::string video;
  double fps = 15.0;
  std::optional<std::int64_t> from, to;
  double orbit = 0.0;
  std::optional<int> crf;
  std::string preset = "medium";
  bool quiet = false;
  // The schedule's lanes and activation memory instead of the 3D scene.
  bool lanes = false;
  // One transformer layer of one microbatch instead of the pipeline (layer_view.hpp).
  bool layer_view = false;
  // render --lanes: a schedule of the zoo drawn beneath on the same time axis.
  std::string compare;
  // From a session: its camera (instead of --view's fitted one) and background.
  std::optional<Camera> camera;
  glm::vec3 background{1.0f};
};

void add_render_flags(CLI::App& cmd, RenderOptions& options);
// The look the flags ask for, and the labels' font (none if nothing needs text).
RenderStyle style_from(const RenderOptions& options);
bool load_font(const RenderOptions& options, const RenderStyle& style, std::unique_ptr<FontAtlas>& font,
               std::string& error);
int run_render(const RenderOptions& options);

// "1920x1080" -> width, height; false with `error` set otherwise.
bool parse_size(const std::string& text, int& width, int& height, std::string& error);

}  // namespace pipescope::app
