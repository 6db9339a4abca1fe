#include "video_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "interrupts.hpp"
#include "pipescope/export/video_export.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/still.hpp"

namespace pipescope::app {

namespace {


int fail(const std::string& message) {
  std::cerr << "pipescope: " << message << "\n";
  return 2;
}

// "[=========>          ] 120/260 frames  35.2 fps  3.9 s left", redrawn in place.
void draw_progress(std::uint32_t done, std::uint32_t total, double seconds) {
  constexpr int kWidth = 30;
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
  const int filled = static_cast<int>(fraction * kWidth);
  const double fps = seconds > 0 ? done / seconds : 0.0;
  const double left = fps > 0 ? (total - done) / fps : 0.0;
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r[%s] %u/%u frames  %.1f fps  %.1f s left ", bar.c_str(), done, total, fps, left);
  std::fflush(stderr);
}

}  // namespace

int run_video(const RenderOptions& o, Scene& scene, ViewPreset preset, Projection projection, int width, int height) {
  std::string error;
  const auto format = video_format_for(o.video, error);
  if (!format) return fail("--video: " + error);
  if (!(o.fps > 0.0 && o.fps <= 240.0)) return fail(fmt::format("--fps: {} must be above 0 and at most 240", o.fps));
  const std::int64_t last = scene.timeline().last_frame();
  const std::int64_t from = o.from.value_or(0), to = o.to.value_or(last);
  if (from < 0 || from > last) return fail(fmt::format("--from: {} is outside this schedule's frames 0..{}", from, last));
  if (to < from || to > last) return fail(fmt::format("--to: {} must be from --from ({}) to the last frame {}", to, from, last));
  if (o.crf) {
    // Each encoder's own scale: x264 stops at 51, VP9 at 63; GIF and PNG have none.
    const int top = *format == VideoFormat::Mp4 ? 51 : *format == VideoFormat::WebM ? 63 : -1;
    if (top < 0) return fail("--crf: only .mp4 and .webm videos have a quality setting");
    if (*o.crf < 0 || *o.crf > top) {
      return fail(fmt::format("--crf: {} is outside {}'s range 0 to {}", *o.crf,
                              *format == VideoFormat::Mp4 ? "H.264 (.mp4)" : "VP9 (.webm)", top));
    }
  }
  if (o.transparent && *format != VideoFormat::PngSequence) {
    return fail("--transparent: only a PNG sequence keeps transparency; use --video out_{frame:04}.png");
  }
  static const char* const presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                        "medium", "slow", "slower", "veryslow", "placebo"};
  if (std::find(std::begin(presets), std::end(presets), o.preset) == std::end(presets)) {
    return fail("--x264-preset: \"" + o.preset + "\" is not an x264 preset (ultrafast, superfast, veryfast, faster, fast, "
                "medium, slow, slower, veryslow)");
  }

  VideoSettings s;
  s.path = o.video;
  s.format = *format;
  s.width = width;
  s.height = height;
  s.fps = o.fps;
  s.from = static_cast<std::uint32_t>(from);
  s.to = static_cast<std::uint32_t>(to);
  s.orbit_degrees = static_cast<float>(o.orbit);
  s.crf = o.crf.value_or(-1);
  s.preset = o.preset;
  s.style = style_from(o);
  // Fitted for the whole orbit, so that a turning camera keeps the scene in frame.
  s.camera = o.camera ? *o.camera
                      : fitted_orbit_camera(scene.layout(), preset, projection,
                                            static_cast<float>(width) / static_cast<float>(height),
                                            static_cast<float>(o.orbit));
  s.camera.projection = projection;
  std::unique_ptr<FontAtlas> font;
  if (!load_font(o, s.style, font, error)) return fail(error);

  gl::HeadlessContext context;
  // Watching before ffmpeg starts: a Ctrl-C from now on stops both cleanly.
  const InterruptWatch interrupts;
  std::unique_ptr<VideoExport> started;
  try {
    started = std::make_unique<VideoExport>(scene.params(), s, font.get());
  } catch (const ExportError& e) {
    return fail(std::string("--video: ") + e.what());
  }
  VideoExport& video = *started;
  video.watch_interrupt(&InterruptWatch::flag());
  const bool show_progress = !o.quiet && isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  double last_drawn = -1.0;
  while (video.step()) {
    if (show_progress && elapsed() - last_drawn > 0.1) {
      draw_progress(video.frames_done(), video.frames_total(), elapsed());
      last_drawn = elapsed();
    }
  }
  if (interrupts.raised()) {
    video.cancel();
    if (show_progress) std::fputs("\n", stderr);
    std::cerr << "pipescope: interrupted: stopped the export and removed " << o.video << "\n";
    return kExitInterrupted;
  }
  try {
    video.finish();
  } catch (const ExportError& e) {
    if (show_progress) std::fputs("\n", stderr);
    std::cerr << "pipescope: --video: " << e.what() << " (removed " << o.video << ")\n";
    return 1;
  }
  if (show_progress) {
    draw_progress(video.frames_total(), video.frames_total(), elapsed());
    std::fputs("\n", stderr);
  }
  if (!o.quiet) std::cout << "wrote " << o.video << "\n";
  return 0;
}

}  // namespace pipescope::app
