#pragma once
// The explorer's UI-side state, in small plain structs the panels edit and
// the explorer acts on. No GL, no ImGui here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "file_browser.hpp"
#include "pipescope/render/camera.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/plan/parallel_layout.hpp"
#include "pipescope/render/style.hpp"

namespace pipescope::app {

struct ViewSettings {
  RenderStyle style;
  Projection projection = Projection::Perspective;
  // The 3D view shows one transformer layer (layer_view.hpp) as the selected
  // lane's GPU runs it at the playhead, instead of the pipeline.
  bool layer_view = false;
};

// Parameters as typed, which may be invalid; the scene keeps the last valid set.
struct ParamsEditor {
  Params edited;
  std::vector<ParamError> errors;  // validate(edited)
  FileBrowser schedule_browser{"Open a PyTorch schedule file", {".csv"}};
  // A measured step: a folder of per-rank profiler traces, or one of them.
  FileBrowser measured_browser{"Open a measured run (PyTorch profiler traces)", {".json", ".gz"}, false, true};
  std::string file_error;  // why the last schedule file chosen could not be used
  std::string list_error;  // why the last per-stage list typed could not be read
  // A number being typed, by its field's key: applied on Enter, when the
  // field is left or by its +/- buttons, not at each key ("16" is never "1" first).
  std::map<std::string, double> drafts;
};

struct ExportSettings {
  int width = 1920, height = 1080;
  bool transparent = false;
  bool include_ui = false;  // the window as seen, panels and all (at the window's size)
  std::string folder = ".";
  std::string status;  // the last screenshot's path, or why it failed
};

// Video export from the explorer: the same path as `pipescope render --video`.
struct VideoPanel {
  std::string path = "pipescope.mp4";  // .mp4, .webm, .gif or out_{frame:04}.png
  int width = 1600, height = 1600;     // the notebook's video
  float fps = 15.0f;
  int from = 0, to = -1;               // -1: the last frame
  float orbit_degrees = 0.0f;
  bool running = false;
  std::uint32_t done = 0, total = 0;
  std::string status;
};

struct FrameStats {
  double scene_ms = 0.0;  // the last scene render, GPU work included
  double ui_frame_ms = 0.0;  // panels, scene (when redrawn) and presentation
};

// Where named widgets are on screen (window coordinates: x0, y0, x1, y1),
// logged with --log-state so scripted tests can click them.
using WidgetRects = std::map<std::string, glm::vec4>;

// What the user asked for during one UI frame.
struct UiActions {
  bool params_edited = false;
  bool screenshot = false;
  bool lanes_picture = false;  // the lanes and memory plot as a PNG
  bool trace = false;          // the schedule as a Chrome trace for Perfetto
  bool fit = false;
  bool reset_camera = false;
  std::optional<ViewPreset> preset;
  bool view_changed = false;  // style or projection
  bool start_video = false;
  bool cancel_video = false;
  std::optional<std::uint32_t> seek;  // a frame chosen outside the timeline (the memory plot)
  std::optional<std::string> schedule_file;  // a schedule CSV chosen in the Parameters panel
  std::optional<std::string> measured;       // a measured step's traces (a folder or a .json.gz) dropped
  std::optional<std::string> open_session;   // a session (.json or PNG) or preset to open
  bool open_trusted = false;                 // ...letting it read a file outside its folder (the user said so)
  std::optional<std::string> save_session;   // where to save the session
  std::optional<double> auto_cap;            // a cap picked on the auto-schedule curve, GiB
  bool load_auto_search = false;             // use the longer search's order as the schedule
  std::optional<std::int64_t> start_plan;    // plan the scene's model on this many GPUs
  bool cancel_plan = false;
  std::optional<ParallelLayout> load_layout;  // a planned layout, into the scene
  std::optional<int> rank_map_pick;           // a pipeline rank clicked on the rank map
};

}  // namespace pipescope::app
