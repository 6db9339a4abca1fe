#include "explorer_impl.hpp"
#include "output_file.hpp"

// What the explorer writes: screenshots, lanes pictures, traces and videos.

namespace pipescope::app {

void Explorer::save_lanes_picture() {
  const Params& p = scene_->params();
  const int width = std::clamp(exports_.width, 320, 16384);
  // With a schedule compared, it is drawn beneath as on screen.
  const Params* compared = comparison_.active() ? comparison_.params() : nullptr;
  const auto rows = lanes_image_rows(p, compared);
  const int captions = (p.measured ? 40 : 0) + (compared != nullptr ? 40 : 0);
  const int height = static_cast<int>(static_cast<float>(200 + 20 * rows + captions) * std::max(1.0f, width / 1600.0f));
  save_screenshot(render_lanes_image(p, width, std::min(height, 16384), timeline_.frame, font_file_,
                                     {compared, comparison_.name()})
                      .image);
}

// The same trace as `pipescope trace`, beside the screenshots: of the step
// the scene shows (measured, when it is; the analysis chose once).
void Explorer::save_trace() {
  const std::string path = (std::filesystem::path(exports_.folder) / "pipescope-trace.json").string();
  try {
    write_whole_file(path, chrome_trace(scene_->params(), analysis_->scene_plan(),
                                          scene_->params().frame_us > 0 ? scene_->params().frame_us : 1000.0));
    exports_.status = "Saved " + path + " (open it in ui.perfetto.dev)";
  } catch (const std::exception& e) {
    exports_.status = std::string("Trace failed: ") + e.what();
  }
  if (options_.log_state) std::cout << "trace " << exports_.status << std::endl;
}

void Explorer::start_video() {
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
    // The step the scene shows: a measured one as it ran.
    video_ = std::make_unique<VideoExport>(scene_->params(), s, &font_,
                                           std::shared_ptr<const SchedulePlan>(analysis_, &analysis_->scene_plan()));
    v.running = true;
    v.total = video_->frames_total();
    v.done = 0;
    v.status.clear();
  } catch (const std::exception& e) {
    v.status = e.what();
  }
}

// Renders export frames for a slice of each UI frame, so the window stays responsive.
void Explorer::advance_video() {
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

void Explorer::cancel_video() {
  if (!video_) return;
  video_->cancel();
  video_.reset();
  video_panel_.running = false;
  video_panel_.status = "Cancelled; removed " + video_panel_.path;
  if (options_.log_state) std::cout << "video " << video_panel_.status << std::endl;
}

void Explorer::save_screenshot(const Image& image) {
  try {
    const std::string path = next_screenshot_path(exports_.folder);
    write_png(path, image,
              png_text_with_session(still_metadata(scene_->params(), scene_->playhead().frame(), camera_),
                                    capture_session(), exports_.folder));
    exports_.status = "Saved " + path;
    if (options_.log_state) std::cout << "screenshot " << path << std::endl;
  } catch (const std::exception& e) {
    exports_.status = std::string("Screenshot failed: ") + e.what();
    if (options_.log_state) std::cout << "screenshot-error " << e.what() << std::endl;
  }
}

}  // namespace pipescope::app
