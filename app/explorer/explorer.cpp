#include "explorer_impl.hpp"

#include <filesystem>

// The explorer's frame loop: input, panels, the scene, and the state log
// scripted tests read.

namespace pipescope::app {

int Explorer::run() {
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
    // While auto-schedule searches on its thread, each frame's time (the
    // benchmark in tests/bench/auto_explorer_bench.sh reads it).
    if (options_.log_state && auto_search_.snapshot().running) {
      std::cout << "auto-search frame_ms=" << stats_.ui_frame_ms << std::endl;
    }
    if (options_.log_state && planner_.snapshot().running) {
      std::cout << "planner frame_ms=" << stats_.ui_frame_ms << std::endl;
    } else if (options_.log_state && timeline_.playing) {  // the same without a search, to compare
      std::cout << "playing frame_ms=" << stats_.ui_frame_ms << std::endl;
    }
    --settle_frames;
  }
  return 0;
}

void Explorer::load_scene(const Params& params) {
  analysis_ = analyse(params);
  // The scene animates the plan just made: one simulation per change.
  // A measured step replays as it ran; its ideal shows in the lanes beneath.
  scene_ = std::make_unique<Scene>(params, std::shared_ptr<const SchedulePlan>(analysis_, &analysis_->scene_plan()));
  layer_scene_ = params.model == CostModel::Transformer ? std::make_unique<Scene>(params, kLayerView) : nullptr;
  ideal_ = {};
  if (analysis_->measured) ideal_ = {&analysis_->lanes, &analysis_->plan, static_cast<int>(params.stages_per_rank()), ""};
  ideal_state_.texture = &ideal_texture_;
  // The notebook's phases are one at a time; a pipelined schedule's run
  // together, so its scrubber shows utilisation instead.
  phases_ = params.is_notebook() && !params.real_time() ? phase_spans(scene_->timeline()) : std::vector<PhaseSpan>{};
  lanes_state_.selected_lane = lanes_state_.selected_block = -1;
  // A measured run's lanes hold every replica's ranks themselves (they ran
  // apart); the model's replicas share one timing, grouped and folded.
  lanes_state_.replicas = params.measured && params.measured->pipelines > 1 ? 1 : static_cast<int>(params.dp);
  lanes_state_.texture = &lanes_texture_;
  highlighted_ = 0;
  comparison_.refresh(params, true, analysis_->scene_plan().frame_length);
  auto_search_.start(params, analysis_->plan.timing.makespan);
  fit_lanes();
  timeline_.rebase(scene_->timeline().last_frame());  // the same relative point on the new timeline
  scene_->playhead().seek(timeline_.frame);
  show_scene();
}

// The lanes show the whole of the longer schedule.
void Explorer::fit_lanes() {
  lanes_state_.view.fit(static_cast<double>(
      std::max({analysis_->plan.timing.makespan, analysis_->scene_plan().timing.makespan,
                comparison_.active() ? comparison_.plan().timing.makespan : 0})));
}

void Explorer::reset_camera(ViewPreset preset) {
  camera_.projection = view_.projection;
  camera_.set_preset(preset);
  fit_camera();
}

void Explorer::fit_camera() {
  camera_moved_by_user_ = false;
  const glm::ivec2 size = scene_viewport().size;
  camera_.fit(framing_bounds(shown_scene().layout()), static_cast<float>(size.x) / static_cast<float>(std::max(size.y, 1)));
  scene_dirty_ = true;
}

// The part of the window the scene owns: right of the side panel, above the timeline.
Explorer::Rect Explorer::scene_viewport() const {
  const glm::ivec2 fb = window_.framebuffer_size();
  const glm::ivec2 win = window_.window_size();
  const float to_fb = win.x > 0 ? static_cast<float>(fb.x) / static_cast<float>(win.x) : 1.0f;
  const PanelLayout layout = panel_layout(ui_scale_, lanes_rows(lanes_state_, analysis_->lanes.size()), compared_lane_rows());
  const int left = static_cast<int>(layout.side_width * to_fb);
  const int bottom = static_cast<int>(layout.timeline_height * to_fb);
  return {{left, bottom}, {std::max(fb.x - left, 1), std::max(fb.y - bottom, 1)}};
}

void Explorer::frame(double dt) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();

  UiActions actions;
  rects_.clear();  // only what this frame draws
  const PanelLayout layout = panel_layout(ui_scale_, lanes_rows(lanes_state_, analysis_->lanes.size()), compared_lane_rows());
  // Measured: the step as it ran, beside its ideal (unless another schedule is compared).
  const MeasuredAnalysis* measured = analysis_->measured.get();
  const bool vs_ideal = measured != nullptr && !comparison_.active();
  const MetricsInput metrics{measured ? measured->stats : analysis_->stats,
                             measured ? measured->memory : analysis_->memory,
                             analysis_->scene_plan().frame_length,
                             timeline_.frame,
                             timeline_.last,
                             vs_ideal ? &analysis_->stats : comparison_.active() ? &comparison_.stats() : nullptr,
                             measured ? "measured" : scene_->params().schedule_name(),
                             vs_ideal ? "ideal" : comparison_.name(),
                             vs_ideal ? &analysis_->memory : comparison_.active() ? &comparison_.memory() : nullptr,
                             0,
                             measured ? &measured->split : nullptr,
                             measured ? &measured->lanes : &analysis_->lanes};
  const AutoSearch::Snapshot auto_found = auto_search_.snapshot();
  const AutoPanelInput auto_panel{analysis_->plan, auto_found, scene_->params().gpu_memory_gib};
  const PlannerSearch::Snapshot planned = planner_.snapshot();
  const PlannerPanelInput planner_input{planned, scene_->params(), editor_.errors};
  const RankMapInput rank_map_input{scene_->params(), measured ? measured->stats : analysis_->stats, measured == nullptr};
  side_panel(layout,
             {editor_, view_, exports_, video_panel_, renderer_.stats(), stats_, timeline_.last, metrics,
              session_panel_, sections_, analysis_->plan.auto_result ? &auto_panel : nullptr, &planner_panel_,
              &planner_input, &rank_map_panel_, &rank_map_input},
             actions, rects_);
  timeline_panel(layout, timeline_, phases_,
                 {measured ? measured->lanes : analysis_->lanes, analysis_->scene_plan(),
                  static_cast<int>(scene_->params().stages_per_rank()), ui_scale_, comparison_.lanes(),
                  measured ? &ideal_ : nullptr, &ideal_state_},
                 lanes_state_, comparison_.lanes_state(), comparison_.choice, rects_);
  if (const bool was = comparison_.active(); comparison_.refresh(scene_->params(), false, analysis_->scene_plan().frame_length),
      comparison_.active() != was) {
    fit_lanes();
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
  // The 3D view's own rectangle, logged with the widgets: drivers aim at it
  // instead of copying the panels' sizes.
  rects_["scene"] = glm::vec4(vp_origin_win.x, vp_origin_win.y, vp_origin_win.x + vp_size_win.x,
                              vp_origin_win.y + vp_size_win.y);
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
  // Dropped on the window: traces, a schedule CSV or a session.
  for (const std::string& path : window_.take_dropped_paths()) {
    // A folder or a gzipped trace is a measured step; a .csv a schedule; else a session.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec) || path.ends_with(".json.gz")) {
      actions.measured = path;
    } else {
      (path.ends_with(".csv") ? actions.schedule_file : actions.open_session) = path;
    }
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
  if (showing_layer_) {
    sync_layer_view();
  } else if (scene_->playhead().frame() != timeline_.frame) {
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

void Explorer::apply(const UiActions& a) {
  if (a.open_session) open_session(*a.open_session, a.open_trusted);
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
  if (a.measured) {
    try {
      // One trace chosen or dropped stands for its run: the folder it is in.
      std::error_code ec;
      const std::filesystem::path chosen(*a.measured);
      const std::string run = std::filesystem::is_regular_file(chosen, ec) && chosen.has_parent_path()
                                  ? chosen.parent_path().string()
                                  : *a.measured;
      apply_measured_run(editor_.edited, load_measured_run({run}));
      editor_.file_error.clear();
    } catch (const MeasuredRunError& e) {
      editor_.file_error = e.what();  // the scene stays as it was
    }
    if (options_.log_state) std::cout << "measured " << (editor_.file_error.empty() ? *a.measured : editor_.file_error) << std::endl;
  }
  bool edited = a.params_edited;
  if (a.rank_map_pick) {
    // The rank's first stage outlined on the lanes, every microbatch.
    const Params& p = scene_->params();
    for (std::int64_t s = 0; s < p.stages(); ++s) {
      if (p.rank_of_stage(s) == *a.rank_map_pick) {
        lanes_state_.selected_stage = static_cast<int>(s);
        break;
      }
    }
    lanes_state_.selected_microbatch = -1;
    if (options_.log_state) std::cout << "rank-map " << *a.rank_map_pick << std::endl;
  }
  if (a.start_plan) planner_.start(scene_->params(), *a.start_plan);
  if (a.cancel_plan) planner_.stop();
  if (a.load_layout) {
    editor_.edited = apply_layout(editor_.edited, *a.load_layout);
    edited = true;
    if (options_.log_state) std::cout << "plan-load " << layout_flags(*a.load_layout) << std::endl;
  }
  if (a.auto_cap) {
    editor_.edited.gpu_memory_gib = std::ceil(*a.auto_cap * 1000) / 1000;  // as the field shows it, still fitting
    edited = true;
  }
  if (a.load_auto_search) {
    if (const auto found = auto_search_.snapshot().better) {
      auto file = std::make_shared<ScheduleFile>();
      file->path = "auto-search.csv";
      file->name = "auto search";
      file->program = found->program;
      editor_.edited.schedule_file = std::move(file);
      edited = true;
    }
  }
  if (edited || ((a.schedule_file || a.measured) && editor_.file_error.empty())) {
    editor_.errors = validate(editor_.edited);
    if (editor_.errors.empty() && !(editor_.edited == scene_->params())) {
      load_scene(editor_.edited);
      fit_camera();
    }
  }
  if (a.view_changed) {
    if ((view_.layer_view && layer_scene_) != showing_layer_) {
      show_scene();
      fit_camera();
    }
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

// Hovering an object in the 3D view tells what it is; a click (no drag)
// selects it: its actions are outlined on the lanes, N and P jump to its
// next and previous change.
void Explorer::pick_under_mouse(glm::vec2 origin, glm::vec2 size, const std::vector<int>& keys) {
  if (showing_layer_) {  // the layer's objects are not the pipeline's: nothing to pick
    hovered_object_.reset();
    return;
  }
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
    const bool per_microbatch = selected_object_ && !is_per_layer(scene_->layout()[*selected_object_].kind);
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
void Explorer::highlight_block() {
  const LaneBlock& b = analysis_->lanes[static_cast<std::size_t>(lanes_state_.selected_lane)]
                           .compute[static_cast<std::size_t>(lanes_state_.selected_block)];
  std::vector<ObjectIndex> objects = objects_of_block(scene_->layout(), b);
  highlighted_ = objects.size();
  if (!showing_layer_) renderer_.set_highlight(std::move(objects));
  scene_dirty_ = true;
}

void Explorer::render_scene(const Rect& vp) {
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

void Explorer::log_state() {
  if (!options_.log_state) return;
  const Params& p = scene_->params();
  std::string line = "state frame=" + std::to_string(timeline_.frame) + " playing=" +
                     std::to_string(timeline_.playing) + " dp=" + std::to_string(p.dp) + " pp=" +
                     std::to_string(p.pp) + " microbatches=" + std::to_string(p.microbatches) +
                     " last=" + std::to_string(timeline_.last) + " schedule=" +
                     p.schedule_name() + " lanes_start=" +
                     std::to_string(lanes_state_.view.start) + " lanes_span=" + std::to_string(lanes_state_.view.span) +
                     " makespan=" + std::to_string(analysis_->stats.makespan) + " compare=" +
                     (comparison_.choice.schedule < 0 ? std::string("none") : comparison_.name()) +
                     " compare_makespan=" + std::to_string(comparison_.active() ? comparison_.stats().makespan : -1) +
                     " selected=" + (selected_object_ ? scene_->layout().id(*selected_object_) : std::string("none")) +
                     " highlighted=" + std::to_string(highlighted_) +
                     " " + camera_text(camera_) +
                     " errors=" + std::to_string(editor_.errors.size()) + " drawn=" + std::to_string(++frames_drawn_);
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

