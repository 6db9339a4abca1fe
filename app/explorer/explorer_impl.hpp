#pragma once
// The explorer's window, panels and scene, as one object (private to the
// explorer). Its member functions live in three files by job: explorer.cpp
// (the frame loop, input, the scene), explorer_session.cpp (sessions) and
// explorer_exports.cpp (screenshots, lanes pictures, traces, video).

#include "explorer.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "auto_search.hpp"
#include "comparison.hpp"
#include "explorer_state.hpp"
#include "lanes_image.hpp"
#include "glfw_window.hpp"
#include "imgui_font.hpp"
#include "panels.hpp"
#include "planner_search.hpp"
#include "param_flags.hpp"
#include "pipescope/export/video_export.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/render/pick.hpp"
#include "pipescope/animate/playback.hpp"
#include "pipescope/render/still.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/trace.hpp"
#include "screenshot.hpp"
#include "viewport_input.hpp"

namespace pipescope::app {

using Clock = std::chrono::steady_clock;

// ImGui's context and backends, shut down in reverse order of set-up.
struct ImGuiSession {
  ImGuiSession(GLFWwindow* window, float scale, const std::string& font_file) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // a fixed layout: nothing to remember between runs
    ImGui::StyleColorsLight();
    ImGui::GetStyle().FrameBorderSize = 1.0f;  // white fields and swatches need an outline on the light theme
    ImGui::GetStyle().ScaleAllSizes(scale);
    // The labels' font for the panels too, rasterised at the screen's scale.
    add_panel_font(io, font_file, 15.0f * scale);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
  }
  ~ImGuiSession() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
};

class Explorer {
 public:
  explicit Explorer(const ExplorerOptions& options)
      : options_(options),
        window_(options.width, options.height, "pipescope"),
        ui_scale_(window_.content_scale()),
        font_file_(options.font),  // empty: the built-in DejaVu Sans
        imgui_(window_.handle(), ui_scale_, font_file_),
        font_(font_file_, 14.0f * ui_scale_),
        renderer_(&font_) {
    exports_.folder = options.screenshot_folder;
    view_.style.pixel_scale = ui_scale_;
    editor_.edited = options.params;
    load_scene(options.params);
    reset_camera(ViewPreset::Notebook);
    // The flags given beside --session override its parameters: options.params holds both.
    if (options.session) apply_session(*options.session, options.params);
  }

  int run();

 private:
  void load_scene(const Params& params);

  // The lanes show the whole of the longer schedule.
  void fit_lanes();

  void reset_camera(ViewPreset preset);

  void fit_camera();

  struct Rect {
    glm::ivec2 origin;  // framebuffer pixels, from the bottom-left (GL's convention)
    glm::ivec2 size;
  };
  // The part of the window the scene owns: right of the side panel, above the timeline.
  Rect scene_viewport() const;

  void frame(double dt);

  void apply(const UiActions& a);

  // Everything the user set, as a session.
  Session capture_session() const;

  // All of a session at once (it was checked whole when read): `params` are
  // its parameters with any flags given beside it applied.
  void apply_session(const Session& s, const Params& params);

  // `trusted`: the user agreed that it may read a file outside its folder.
  void open_session(const std::string& path, bool trusted = false);

  void save_session_to(std::string path);
  void show_session_in_title();

  // Hovering an object in the 3D view tells what it is; a click (no drag)
  // selects it: its actions are outlined on the lanes, N and P jump to its
  // next and previous change.
  void pick_under_mouse(glm::vec2 origin, glm::vec2 size, const std::vector<int>& keys);

  // The objects a selected lane block computes on, outlined in 3D: its
  // stage's matmuls and activations for its microbatch, on every replica
  // (and the weights, for a weight gradient).
  void highlight_block();

  void save_lanes_picture();

  // The same trace as `pipescope trace`, beside the screenshots.
  void save_trace();

  void start_video();

  // Renders export frames for a slice of each UI frame, so the window stays responsive.
  void advance_video();

  void cancel_video();

  void render_scene(const Rect& vp);

  void save_screenshot(const Image& image);

  void log_state();

  ExplorerOptions options_;
  GlfwWindow window_;
  float ui_scale_;
  std::string font_file_;
  ImGuiSession imgui_;
  FontAtlas font_;
  SceneRenderer renderer_;
  LanesTexture lanes_texture_;  // the lanes' blocks, painted once per view
  Comparison comparison_;
  // --schedule auto's curve over caps and longer search, on a thread of its
  // own; its results wake the idle window.
  AutoSearch auto_search_{[] { glfwPostEmptyEvent(); }};
  // The Planner panel's search (pipescope plan), on its own thread too.
  PlannerSearch planner_{[] { glfwPostEmptyEvent(); }};
  PlannerPanel planner_panel_;
  RankMapPanel rank_map_panel_;
  // A measured step's ideal lanes (the analysis owns them), their view and paint.
  CompareLanes ideal_;
  LanesState ideal_state_;
  LanesTexture ideal_texture_;
  // Rows the lanes under the scene's take: the ideal's and the compared schedule's.
  std::size_t compared_lane_rows() const {
    return comparison_.lane_count() + (ideal_.lanes != nullptr ? ideal_.lanes->size() : 0);
  }
  std::unique_ptr<Scene> scene_;
  // One layer of a real model (null for the notebook's MLP), shown instead
  // of the pipeline while showing_layer_ (explorer_layer_view.cpp).
  std::unique_ptr<Scene> layer_scene_;
  bool showing_layer_ = false;
  Scene& shown_scene() { return showing_layer_ ? *layer_scene_ : *scene_; }
  // The renderer takes the pipeline or the layer, as the view asks.
  void show_scene();
  // The layer's frame for the playhead and the selected lane's GPU.
  void sync_layer_view();
  std::vector<PhaseSpan> phases_;
  // The scene's schedule analysed once: plan, lanes, figures, memory.
  std::shared_ptr<const ScheduleAnalysis> analysis_;
  LanesState lanes_state_;
  std::optional<ObjectIndex> hovered_object_, selected_object_;
  std::size_t highlighted_ = 0;  // objects outlined for a selected lane block
  glm::vec2 press_at_{0.0f};
  std::string last_tooltip_, last_pick_;
  Camera camera_;
  TimelineView timeline_;
  ViewSettings view_;
  ParamsEditor editor_;
  SessionPanel session_panel_;
  Sections sections_;
  ExportSettings exports_;
  FrameStats stats_;
  VideoPanel video_panel_;
  std::unique_ptr<VideoExport> video_;  // an export in progress
  std::unique_ptr<OffscreenTarget> scene_target_;
  glm::ivec2 scene_target_size_{0, 0};
  bool scene_dirty_ = true;
  int settle_frames_ = 3;  // ImGui needs a few frames after input to settle hover state and focus
  bool camera_moved_by_user_ = false;  // orbit, pan or zoom since the last fit
  bool pending_ui_screenshot_ = false;
  std::string last_logged_;
  // Frames drawn so far: the state log carries it, so a test that presses a
  // key waits for frames to pass (ImGui 1.86 polls input once a frame), not for a guessed time.
  std::uint64_t frames_drawn_ = 0;
  WidgetRects rects_, logged_rects_;
};

}  // namespace pipescope::app
