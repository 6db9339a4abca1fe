#include "explorer_impl.hpp"
#include "pipescope/io/input_file.hpp"

// Sessions in the explorer: what the user set, captured and applied whole.

namespace pipescope::app {

// Everything the user set, as a session.
Session Explorer::capture_session() const {
  Session s;
  s.params = scene_->params();
  s.frame = timeline_.frame;
  s.camera = camera_;
  s.view = view_of(view_.style);
  s.view.layer_view = view_.layer_view;
  if (comparison_.choice.schedule >= 0) {
    s.compare.schedule = std::string(schedule_catalog()[static_cast<std::size_t>(comparison_.choice.schedule)].name);
  }
  s.compare.pp = comparison_.choice.pp;
  s.compare.microbatches = comparison_.choice.microbatches;
  s.layout.sections = sections_.open;
  s.layout.lanes_start = lanes_state_.view.start;
  s.layout.lanes_span = lanes_state_.view.span;
  s.layout.replicas_unfolded = !lanes_state_.fold_replicas;
  s.exports = {exports_.width,     exports_.height,       exports_.transparent, exports_.include_ui,
               video_panel_.path,  video_panel_.width,    video_panel_.height,  video_panel_.fps,
               video_panel_.orbit_degrees};
  return s;
}

// All of a session at once (it was checked whole when read): `params` are
// its parameters with any flags given beside it applied.
void Explorer::apply_session(const Session& s, const Params& params) {
  editor_.edited = params;
  editor_.errors = validate(params);
  editor_.file_error.clear();
  if (editor_.errors.empty() && !(params == scene_->params())) load_scene(params);
  view_.style = apply_view(view_.style, s.view);
  view_.layer_view = s.view.layer_view;
  if ((view_.layer_view && layer_scene_) != showing_layer_) show_scene();
  comparison_.choice = CompareChoice{};
  if (!s.compare.schedule.empty()) {
    const auto catalog = schedule_catalog();
    for (std::size_t i = 0; i < catalog.size(); ++i) {
      if (catalog[i].name == s.compare.schedule) comparison_.choice.schedule = static_cast<int>(i);
    }
  }
  comparison_.choice.pp = s.compare.pp;
  comparison_.choice.microbatches = s.compare.microbatches;
  comparison_.refresh(scene_->params(), true, analysis_->scene_plan().frame_length);
  lanes_state_.fold_replicas = !s.layout.replicas_unfolded;
  if (s.layout.lanes_span > 0) {
    lanes_state_.view.start = s.layout.lanes_start;
    lanes_state_.view.span = s.layout.lanes_span;
  } else {
    fit_lanes();
  }
  exports_.width = s.exports.width;
  exports_.height = s.exports.height;
  exports_.transparent = s.exports.transparent;
  exports_.include_ui = s.exports.include_ui;
  video_panel_.path = s.exports.video_path;
  video_panel_.width = s.exports.video_width;
  video_panel_.height = s.exports.video_height;
  video_panel_.fps = static_cast<float>(s.exports.fps);
  video_panel_.orbit_degrees = static_cast<float>(s.exports.orbit_degrees);
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

void Explorer::open_session(const std::string& path, bool trusted) {
  SessionPanel& panel = session_panel_;
  try {
    LoadedSession loaded = load_session(path, trusted);
    apply_session(loaded.session, loaded.session.params);
    panel.warnings = std::move(loaded.warnings);
    // A preset or a PNG is a starting point: Ctrl+S asks where to save.
    const bool own_file = path.ends_with(".json") &&
                          std::none_of(panel.presets.begin(), panel.presets.end(),
                                       [&](const Preset& p) { return p.path == path; });
    panel.path = own_file ? path : std::string();
    panel.status = "Opened " + path;
    if (const std::string why = panel.recent.remember(path); !why.empty()) panel.status += " (" + why + ")";
  } catch (const UntrustedPath& e) {
    // Nothing applied yet: the panel asks whether to open it anyway.
    panel.untrusted_session = e.session;
    panel.untrusted_file = printable(e.outside);
    panel.status = e.what();
  } catch (const SessionError& e) {
    panel.status = e.what();  // nothing was applied
  }
  if (options_.log_state) {
    std::cout << "session-open " << panel.status << std::endl;
    for (const std::string& w : panel.warnings) std::cout << "session-warning " << w << std::endl;
  }
}

void Explorer::save_session_to(std::string path) {
  SessionPanel& panel = session_panel_;
  if (!path.ends_with(".json")) path += ".json";
  try {
    save_session(path, capture_session());
    panel.path = path;
    show_session_in_title();
    panel.status = "Saved " + path;
    if (const std::string why = panel.recent.remember(path); !why.empty()) panel.status += " (" + why + ")";
  } catch (const SessionError& e) {
    panel.status = e.what();
  }
  if (options_.log_state) std::cout << "session-save " << panel.status << std::endl;
}

// "pipescope - mine.json": the title says which session Ctrl+S writes.
void Explorer::show_session_in_title() {
  const std::string& path = session_panel_.path;
  window_.set_title(path.empty() ? "pipescope" : "pipescope - " + std::filesystem::path(path).filename().string());
}

}  // namespace pipescope::app
