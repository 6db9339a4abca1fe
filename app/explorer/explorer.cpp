#include "explorer.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <memory>

#include "comparison.hpp"
#include "explorer_state.hpp"
#include "lanes_image.hpp"
#include "glfw_window.hpp"
#include "imgui_font.hpp"
#include "panels.hpp"
#include "param_flags.hpp"
#include "pipescope/export/video_export.hpp"
#include "pipescope/font.hpp"
#include "pipescope/pick.hpp"
#include "pipescope/playback.hpp"
#include "pipescope/render/still.hpp"
#include "pipescope/scene.hpp"
#include "pipescope/trace.hpp"
#include "screenshot.hpp"
#include "viewport_input.hpp"

namespace pipescope::app {

namespace {

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

  int run() {
    auto last = Clock::now();
    int& settle_frames = settle_frames_;
    while (!window_.should_close()) {
      if (timeline_.playing || video_ || settle_frames > 0) {
        window_.poll_events();
      } else {
        window_.wait_events(-1.0);  // idle: no redraw until something happens
        settle_frames = 3;
      }
      const auto now = Clock::now();
      const double dt = std::chrono::duration<double>(now - last).count();
      last = now;
      if (window_.minimised()) continue;
      if (ImGui::GetIO().MouseDelta.x != 0 || ImGui::GetIO().MouseDelta.y != 0) settle_frames = 3;
      const auto frame_start = Clock::now();
      frame(dt);
      stats_.ui_frame_ms = std::chrono::duration<double, std::milli>(Clock::now() - frame_start).count();
      --settle_frames;
    }
    return 0;
  }

 private:
  void load_scene(const Params& params) {
    scene_ = std::make_unique<Scene>(params);
    phases_ = phase_spans(scene_->timeline());
    plan_ = make_plan(params);
    lanes_ = make_lanes(plan_);
    lanes_state_.selected_lane = lanes_state_.selected_block = -1;
    lanes_state_.replicas = static_cast<int>(params.dp);
    lanes_state_.texture = &lanes_texture_;
    highlighted_ = 0;
    stats_of_schedule_ = schedule_stats(params, plan_, dtype_bytes_);
    memory_ = activation_memory(plan_);
    comparison_.refresh(params, dtype_bytes_, true);
    fit_lanes();
    timeline_.rebase(scene_->timeline().last_frame());  // the same relative point on the new timeline
    scene_->playhead().seek(timeline_.frame);
    renderer_.set_scene(scene_->layout(), scene_->playhead());
    scene_dirty_ = true;
  }

  // The lanes show the whole of the longer schedule.
  void fit_lanes() {
    lanes_state_.view.fit(static_cast<double>(
        std::max(plan_.timing.makespan, comparison_.active() ? comparison_.plan().timing.makespan : 0)));
  }

  void reset_camera(ViewPreset preset) {
    camera_.projection = view_.projection;
    camera_.set_preset(preset);
    fit_camera();
  }

  void fit_camera() {
    camera_moved_by_user_ = false;
    const glm::ivec2 size = scene_viewport().size;
    camera_.fit(framing_bounds(scene_->layout()), static_cast<float>(size.x) / static_cast<float>(std::max(size.y, 1)));
    scene_dirty_ = true;
  }

  struct Rect {
    glm::ivec2 origin;  // framebuffer pixels, from the bottom-left (GL's convention)
    glm::ivec2 size;
  };
  // The part of the window the scene owns: right of the side panel, above the timeline.
  Rect scene_viewport() const {
    const glm::ivec2 fb = window_.framebuffer_size();
    const glm::ivec2 win = window_.window_size();
    const float to_fb = win.x > 0 ? static_cast<float>(fb.x) / static_cast<float>(win.x) : 1.0f;
    const PanelLayout layout = panel_layout(ui_scale_, lanes_rows(lanes_state_, lanes_.size()), comparison_.lane_count());
    const int left = static_cast<int>(layout.side_width * to_fb);
    const int bottom = static_cast<int>(layout.timeline_height * to_fb);
    return {{left, bottom}, {std::max(fb.x - left, 1), std::max(fb.y - bottom, 1)}};
  }

  void frame(double dt) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();

    UiActions actions;
    rects_.clear();  // only what this frame draws
    const PanelLayout layout = panel_layout(ui_scale_, lanes_rows(lanes_state_, lanes_.size()), comparison_.lane_count());
    const RankStats& first = stats_of_schedule_.ranks.front();
    const MetricsInput metrics{stats_of_schedule_,
                               memory_,
                               first.peak_activations > 0 ? first.peak_activation_bytes / first.peak_activations : 0.0,
                               timeline_.frame,
                               timeline_.last,
                               comparison_.active() ? &comparison_.stats() : nullptr,
                               scene_->params().schedule_name(),
                               comparison_.name(),
                               comparison_.active() ? &comparison_.memory() : nullptr,
                               &dtype_bytes_};
    side_panel(layout,
               {editor_, view_, exports_, video_panel_, renderer_.stats(), stats_, timeline_.last, metrics,
                session_panel_, sections_},
               actions, rects_);
    timeline_panel(layout, timeline_, phases_,
                   {lanes_, plan_, static_cast<int>(scene_->params().stages_per_rank()), ui_scale_,
                    comparison_.lanes()},
                   lanes_state_, comparison_.lanes_state(), comparison_.choice, rects_);
    if (const bool was = comparison_.active(); comparison_.refresh(scene_->params(), dtype_bytes_, false),
        comparison_.active() != was) {
      fit_lanes();
    }
    if (dtype_bytes_ != dtype_for_) {  // figures in bytes follow the data type
      dtype_for_ = dtype_bytes_;
      stats_of_schedule_ = schedule_stats(scene_->params(), plan_, dtype_bytes_);
    }
    if (lanes_state_.selection_changed) {
      lanes_state_.selection_changed = false;
      highlight_block();
    }
    const Rect vp = scene_viewport();
    const glm::ivec2 win = window_.window_size();
    const glm::vec2 vp_origin_win(layout.side_width, 0.0f);
    const glm::vec2 vp_size_win(static_cast<float>(win.x) - layout.side_width,
                                static_cast<float>(win.y) - layout.timeline_height);
    const std::vector<int> keys = window_.take_pressed_keys();
    // A key may open a popup whose text field takes focus a frame later: run
    // those frames now, not at the next keystroke (which would be lost).
    if (!keys.empty()) settle_frames_ = 3;
    for (int key : keys) {
      if (key == (GLFW_KEY_S | GlfwWindow::kCtrl)) {
        if (session_panel_.path.ends_with(".json")) {
          actions.save_session = session_panel_.path;
        } else {
          session_panel_.save_browser.request_open = true;
        }
      }
      if (key == (GLFW_KEY_O | GlfwWindow::kCtrl)) session_panel_.open_browser.request_open = true;
    }
    // A schedule CSV dropped on the window is a schedule; anything else a session.
    for (const std::string& path : window_.take_dropped_paths()) {
      (path.ends_with(".csv") ? actions.schedule_file : actions.open_session) = path;
    }
    const InputResult input = handle_viewport_input(camera_, timeline_, vp_origin_win, vp_size_win, keys);
    pick_under_mouse(vp_origin_win, vp_size_win, keys);
    scene_dirty_ |= input.camera_changed;
    camera_moved_by_user_ |= input.camera_changed;
    if (input.screenshot) actions.screenshot = true;
    if (input.preset) actions.preset = input.preset;
    if (input.reset) actions.reset_camera = true;
    // After an idle wait dt spans the whole wait; playback must not leap over it.
    timeline_.tick(std::min(dt, 0.1));

    apply(actions);
    if (scene_->playhead().frame() != timeline_.frame) {
      scene_->playhead().seek(timeline_.frame);
      renderer_.update(scene_->playhead());
      scene_dirty_ = true;
    }
    if (vp.size != scene_target_size_) {
      // A resized window keeps the scene framed, unless the user framed it themselves.
      if (scene_target_ && !camera_moved_by_user_) fit_camera();
      scene_dirty_ = true;
    }
    advance_video();
    if (scene_dirty_) render_scene(vp);
    log_state();

    ImGui::Render();
    const glm::ivec2 fb = window_.framebuffer_size();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, fb.x, fb.y);
    glClearColor(0.94f, 0.94f, 0.94f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    scene_target_->blit_to_default(vp.origin.x, vp.origin.y);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (pending_ui_screenshot_) {
      save_screenshot(read_default_framebuffer(fb.x, fb.y));
      pending_ui_screenshot_ = false;
    }
    window_.swap_buffers();
  }

  void apply(const UiActions& a) {
    if (a.open_session) open_session(*a.open_session);
    if (a.save_session) save_session_to(*a.save_session);
    if (a.seek) {
      timeline_.seek(*a.seek);
      timeline_.playing = false;
    }
    if (a.schedule_file) {
      try {
        editor_.edited.schedule_file = load_schedule_file(*a.schedule_file);
        apply_schedule_file_shape(editor_.edited, false, false, false, false);
        editor_.file_error.clear();
      } catch (const ScheduleFileError& e) {
        editor_.file_error = e.what();  // the scene stays as it was
      }
      if (options_.log_state) std::cout << "schedule-file " << (editor_.file_error.empty() ? *a.schedule_file : editor_.file_error) << std::endl;
    }
    if (a.params_edited || (a.schedule_file && editor_.file_error.empty())) {
      editor_.errors = validate(editor_.edited);
      if (editor_.errors.empty() && !(editor_.edited == scene_->params())) {
        load_scene(editor_.edited);
        fit_camera();
      }
    }
    if (a.view_changed) {
      if (camera_.projection != view_.projection) {
        camera_.projection = view_.projection;
        fit_camera();
      }
      scene_dirty_ = true;
    }
    if (a.start_video && !video_) start_video();
    if (a.cancel_video) cancel_video();
    if (a.preset) reset_camera(*a.preset);
    if (a.reset_camera) reset_camera(ViewPreset::Notebook);
    if (a.fit) fit_camera();
    if (a.lanes_picture) save_lanes_picture();
    if (a.trace) save_trace();
    if (a.screenshot) {
      if (exports_.include_ui) {
        pending_ui_screenshot_ = true;  // read back once the panels are drawn
      } else {
        RenderStyle style = view_.style;
        if (exports_.transparent) style.background.a = 0.0f;
        save_screenshot(render_still(renderer_, camera_, exports_.width, exports_.height, style));
      }
    }
  }

  // Everything the user set, as a session.
  Session capture_session() const {
    Session s;
    s.params = scene_->params();
    s.frame = timeline_.frame;
    s.camera = camera_;
    s.view = view_of(view_.style);
    if (comparison_.choice.schedule >= 0) {
      s.compare.schedule = std::string(schedule_catalog()[static_cast<std::size_t>(comparison_.choice.schedule)].name);
    }
    s.compare.pp = comparison_.choice.pp;
    s.compare.microbatches = comparison_.choice.microbatches;
    s.layout.sections = sections_.open;
    s.layout.lanes_start = lanes_state_.view.start;
    s.layout.lanes_span = lanes_state_.view.span;
    s.layout.replicas_unfolded = !lanes_state_.fold_replicas;
    s.layout.dtype_bytes = dtype_bytes_;
    return s;
  }

  // All of a session at once (it was checked whole when read): `params` are
  // its parameters with any flags given beside it applied.
  void apply_session(const Session& s, const Params& params) {
    editor_.edited = params;
    editor_.errors = validate(params);
    editor_.file_error.clear();
    if (editor_.errors.empty() && !(params == scene_->params())) load_scene(params);
    view_.style = apply_view(view_.style, s.view);
    comparison_.choice = CompareChoice{};
    if (!s.compare.schedule.empty()) {
      const auto catalog = schedule_catalog();
      for (std::size_t i = 0; i < catalog.size(); ++i) {
        if (catalog[i].name == s.compare.schedule) comparison_.choice.schedule = static_cast<int>(i);
      }
    }
    comparison_.choice.pp = s.compare.pp;
    comparison_.choice.microbatches = s.compare.microbatches;
    comparison_.refresh(scene_->params(), dtype_bytes_, true);
    dtype_bytes_ = s.layout.dtype_bytes;
    lanes_state_.fold_replicas = !s.layout.replicas_unfolded;
    if (s.layout.lanes_span > 0) {
      lanes_state_.view.start = s.layout.lanes_start;
      lanes_state_.view.span = s.layout.lanes_span;
    } else {
      fit_lanes();
    }
    sections_.open = s.layout.sections;
    sections_.restore = true;
    if (s.camera) {
      camera_ = *s.camera;
      view_.projection = camera_.projection;
      camera_moved_by_user_ = true;  // keep it as saved when the window resizes
    } else {
      view_.projection = Projection::Perspective;
      reset_camera(ViewPreset::Notebook);
    }
    timeline_.playing = false;
    timeline_.seek(static_cast<std::uint32_t>(std::min<std::int64_t>(s.frame, timeline_.last)));
    scene_dirty_ = true;
  }

  void open_session(const std::string& path) {
    SessionPanel& panel = session_panel_;
    try {
      LoadedSession loaded = load_session(path);
      apply_session(loaded.session, loaded.session.params);
      panel.warnings = std::move(loaded.warnings);
      // A preset or a PNG is a starting point: Ctrl+S asks where to save.
      const bool own_file = path.ends_with(".json") &&
                            std::none_of(panel.presets.begin(), panel.presets.end(),
                                         [&](const Preset& p) { return p.path == path; });
      panel.path = own_file ? path : std::string();
      panel.status = "Opened " + path;
      if (const std::string why = panel.recent.remember(path); !why.empty()) panel.status += " (" + why + ")";
    } catch (const SessionError& e) {
      panel.status = e.what();  // nothing was applied
    }
    if (options_.log_state) {
      std::cout << "session-open " << panel.status << std::endl;
      for (const std::string& w : panel.warnings) std::cout << "session-warning " << w << std::endl;
    }
  }

  void save_session_to(std::string path) {
    SessionPanel& panel = session_panel_;
    if (!path.ends_with(".json")) path += ".json";
    try {
      save_session(path, capture_session());
      panel.path = path;
      panel.status = "Saved " + path;
      if (const std::string why = panel.recent.remember(path); !why.empty()) panel.status += " (" + why + ")";
    } catch (const SessionError& e) {
      panel.status = e.what();
    }
    if (options_.log_state) std::cout << "session-save " << panel.status << std::endl;
  }

  // Hovering an object in the 3D view tells what it is; a click (no drag)
  // selects it: its actions are outlined on the lanes, N and P jump to its
  // next and previous change.
  void pick_under_mouse(glm::vec2 origin, glm::vec2 size, const std::vector<int>& keys) {
    const ImGuiIO& io = ImGui::GetIO();
    const glm::vec2 m(io.MousePos.x, io.MousePos.y);
    const bool over = !io.WantCaptureMouse && m.x >= origin.x && m.y >= origin.y && m.x < origin.x + size.x &&
                      m.y < origin.y + size.y;
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) press_at_ = m;
    if (over && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      const glm::vec2 ndc((m.x - origin.x) / size.x * 2 - 1, 1 - (m.y - origin.y) / size.y * 2);
      hovered_object_ = pick_object(scene_->layout(), scene_->playhead().state(), camera_, size.x / size.y, ndc);
    } else if (!over) {
      hovered_object_.reset();
    }
    if (over && ImGui::IsMouseReleased(ImGuiMouseButton_Left) && glm::distance(m, press_at_) < 3.0f) {
      selected_object_ = hovered_object_;
      lanes_state_.selected_stage = selected_object_ ? stage_of(scene_->layout(), *selected_object_) : -1;
      const bool per_microbatch = selected_object_ && scene_->layout()[*selected_object_].kind != ObjectKind::Weight1 &&
                                  scene_->layout()[*selected_object_].kind != ObjectKind::Weight2 &&
                                  scene_->layout()[*selected_object_].kind != ObjectKind::AllReduce1 &&
                                  scene_->layout()[*selected_object_].kind != ObjectKind::AllReduce2;
      lanes_state_.selected_microbatch =
          per_microbatch ? static_cast<int>(scene_->layout()[*selected_object_].microbatch) : -1;
    }
    if (hovered_object_) {
      ImGui::SetTooltip("%s", describe_object(scene_->layout(), *hovered_object_,
                                              scene_->playhead().state(*hovered_object_)).c_str());
    }
    for (int key : keys) {
      if (!selected_object_ || (key != GLFW_KEY_N && key != GLFW_KEY_P)) continue;
      const auto to = scene_->timeline().next_change(*selected_object_, timeline_.frame, key == GLFW_KEY_N ? +1 : -1);
      if (to) timeline_.seek(*to);
      timeline_.playing = false;
    }
  }

  // The objects a selected lane block computes on, outlined in 3D: its
  // stage's matmuls and activations for its microbatch, on every replica
  // (and the weights, for a weight gradient).
  void highlight_block() {
    const LaneBlock& b = lanes_[static_cast<std::size_t>(lanes_state_.selected_lane)]
                             .compute[static_cast<std::size_t>(lanes_state_.selected_block)];
    std::vector<ObjectIndex> objects = objects_of_block(scene_->layout(), b);
    highlighted_ = objects.size();
    renderer_.set_highlight(std::move(objects));
    scene_dirty_ = true;
  }

  void save_lanes_picture() {
    const Params& p = scene_->params();
    const int width = std::clamp(exports_.width, 320, 16384);
    const int height = static_cast<int>(static_cast<float>(200 + 20 * p.pp) * std::max(1.0f, width / 1600.0f));
    save_screenshot(render_lanes_image(p, width, std::min(height, 16384), timeline_.frame, font_file_).image);
  }

  // The same trace as `pipescope trace`, beside the screenshots.
  void save_trace() {
    const std::string path = (std::filesystem::path(exports_.folder) / "pipescope-trace.json").string();
    try {
      const std::string json = chrome_trace(scene_->params(), plan_, 1000.0);
      const std::string temporary = path + ".part";
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << json;
      out.close();
      if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
      std::filesystem::rename(temporary, path);
      exports_.status = "Saved " + path + " (open it in ui.perfetto.dev)";
    } catch (const std::exception& e) {
      exports_.status = std::string("Trace failed: ") + e.what();
    }
    if (options_.log_state) std::cout << "trace " << exports_.status << std::endl;
  }

  void start_video() {
    VideoPanel& v = video_panel_;
    std::string error;
    const auto format = video_format_for(v.path, error);
    if (!format) {
      v.status = error;
      return;
    }
    if (v.width < 1 || v.height < 1 || v.width > 16384 || v.height > 16384) {
      v.status = "Width and height must be 1 to 16384 pixels.";
      return;
    }
    VideoSettings s;
    s.path = v.path;
    s.format = *format;
    s.width = v.width;
    s.height = v.height;
    s.fps = v.fps;
    s.from = static_cast<std::uint32_t>(std::clamp(v.from, 0, static_cast<int>(timeline_.last)));
    s.to = static_cast<std::uint32_t>(std::clamp(v.to, static_cast<int>(s.from), static_cast<int>(timeline_.last)));
    s.orbit_degrees = v.orbit_degrees;
    s.style = view_.style;
    s.camera = camera_;  // the view the user set up on screen
    try {
      video_ = std::make_unique<VideoExport>(scene_->params(), s, &font_);
      v.running = true;
      v.total = video_->frames_total();
      v.done = 0;
      v.status.clear();
    } catch (const std::exception& e) {
      v.status = e.what();
    }
  }

  // Renders export frames for a slice of each UI frame, so the window stays responsive.
  void advance_video() {
    if (!video_) return;
    const auto until = Clock::now() + std::chrono::milliseconds(30);
    bool more = true;
    while (more && Clock::now() < until) more = video_->step();
    video_panel_.done = video_->frames_done();
    if (!more) {
      try {
        video_->finish();
        video_panel_.status = "Saved " + video_panel_.path;
      } catch (const std::exception& e) {
        video_panel_.status = e.what();
      }
      video_.reset();
      video_panel_.running = false;
      if (options_.log_state) std::cout << "video " << video_panel_.status << std::endl;
    }
  }

  void cancel_video() {
    if (!video_) return;
    video_->cancel();
    video_.reset();
    video_panel_.running = false;
    video_panel_.status = "Cancelled; removed " + video_panel_.path;
    if (options_.log_state) std::cout << "video " << video_panel_.status << std::endl;
  }

  void render_scene(const Rect& vp) {
    if (!scene_target_ || vp.size != scene_target_size_) {
      scene_target_ = std::make_unique<OffscreenTarget>(vp.size.x, vp.size.y);
      scene_target_size_ = vp.size;
    }
    const auto start = Clock::now();
    scene_target_->bind();
    renderer_.draw(camera_, vp.size.x, vp.size.y, view_.style);
    glFinish();  // so the time below is the real cost, llvmpipe included
    stats_.scene_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    scene_dirty_ = false;
  }

  void save_screenshot(const Image& image) {
    try {
      const std::string path = next_screenshot_path(exports_.folder);
      write_png(path, image,
                png_text_with_session(still_metadata(scene_->params(), scene_->playhead().frame(), camera_),
                                      capture_session()));
      exports_.status = "Saved " + path;
      if (options_.log_state) std::cout << "screenshot " << path << std::endl;
    } catch (const std::exception& e) {
      exports_.status = std::string("Screenshot failed: ") + e.what();
      if (options_.log_state) std::cout << "screenshot-error " << e.what() << std::endl;
    }
  }

  void log_state() {
    if (!options_.log_state) return;
    const Params& p = scene_->params();
    std::string line = "state frame=" + std::to_string(timeline_.frame) + " playing=" +
                       std::to_string(timeline_.playing) + " dp=" + std::to_string(p.dp) + " pp=" +
                       std::to_string(p.pp) + " microbatches=" + std::to_string(p.microbatches) +
                       " last=" + std::to_string(timeline_.last) + " schedule=" +
                       p.schedule_name() + " lanes_start=" +
                       std::to_string(lanes_state_.view.start) + " lanes_span=" + std::to_string(lanes_state_.view.span) +
                       " makespan=" + std::to_string(stats_of_schedule_.makespan) + " compare=" +
                       (comparison_.choice.schedule < 0 ? std::string("none") : comparison_.name()) +
                       " compare_makespan=" + std::to_string(comparison_.active() ? comparison_.stats().makespan : -1) +
                       " selected=" + (selected_object_ ? scene_->layout().id(*selected_object_) : std::string("none")) +
                       " highlighted=" + std::to_string(highlighted_) +
                       " " + camera_text(camera_) +
                       " errors=" + std::to_string(editor_.errors.size());
    if (line != last_logged_) {
      std::cout << line << std::endl;
      last_logged_ = line;
    }
    const std::string picked =
        hovered_object_ ? describe_object(scene_->layout(), *hovered_object_, scene_->playhead().state(*hovered_object_))
                        : std::string();
    if (picked != last_pick_) {
      std::cout << "pick " << picked << std::endl;
      last_pick_ = picked;
    }
    if (lanes_state_.hovered != last_tooltip_) {
      std::cout << "tooltip " << lanes_state_.hovered << std::endl;
      last_tooltip_ = lanes_state_.hovered;
    }
    if (rects_ != logged_rects_) {
      std::cout << "widgets\n";  // a whole new set follows: widgets not in it are gone
      for (const auto& [name, r] : rects_) {
        std::cout << "widget " << name << " " << r.x << " " << r.y << " " << r.z << " " << r.w << "\n";
      }
      std::cout.flush();
      logged_rects_ = rects_;
    }
  }

  ExplorerOptions options_;
  GlfwWindow window_;
  float ui_scale_;
  std::string font_file_;
  ImGuiSession imgui_;
  FontAtlas font_;
  SceneRenderer renderer_;
  LanesTexture lanes_texture_;  // the lanes' blocks, painted once per view
  Comparison comparison_;
  std::unique_ptr<Scene> scene_;
  std::vector<PhaseSpan> phases_;
  SchedulePlan plan_;        // the scene's timed actions, for the lanes
  std::vector<Lane> lanes_;
  LanesState lanes_state_;
  int dtype_bytes_ = 2, dtype_for_ = 2;  // bytes per element for the figures in bytes
  std::optional<ObjectIndex> hovered_object_, selected_object_;
  std::size_t highlighted_ = 0;  // objects outlined for a selected lane block
  glm::vec2 press_at_{0.0f};
  ScheduleStats stats_of_schedule_;
  std::vector<std::vector<MemoryPoint>> memory_;
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
  WidgetRects rects_, logged_rects_;
};

}  // namespace

int run_explorer(const ExplorerOptions& options) {
  try {
    Explorer explorer(options);
    return explorer.run();
  } catch (const WindowError& e) {
    std::cerr << "pipescope: " << e.what() << "\n";
    return 1;
  } catch (const FontError& e) {
    std::cerr << "pipescope: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace pipescope::app
