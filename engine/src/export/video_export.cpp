#include "pipescope/export/video_export.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "pipescope/export/ffmpeg_pipe.hpp"
#include "pipescope/export/png.hpp"
#include "pipescope/gl/gl_check.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/render/scene_renderer.hpp"
#include "pipescope/scene.hpp"

namespace pipescope {

namespace {

// Finds "{frame}" or "{frame:0N}" (N one digit) in `s` from `from`: its
// position, length and zero-padded width.
struct FrameField {
  std::size_t pos = std::string::npos, length = 0;
  int width = 0;
  bool zeros = false;  // {frame:04} pads with zeros, {frame:4} with spaces (as Python's format)
};
FrameField find_frame_field(const std::string& s, std::size_t from = 0) {
  for (std::size_t pos = s.find("{frame", from); pos != std::string::npos; pos = s.find("{frame", pos + 1)) {
    const std::string rest = s.substr(pos + 6);
    if (rest.rfind("}", 0) == 0) return {pos, 7, 0, false};
    if (rest.size() >= 4 && rest[0] == ':' && rest[1] == '0' && std::isdigit(static_cast<unsigned char>(rest[2])) &&
        rest[3] == '}') {
      return {pos, 10, rest[2] - '0', true};
    }
    if (rest.size() >= 3 && rest[0] == ':' && std::isdigit(static_cast<unsigned char>(rest[1])) && rest[2] == '}') {
      return {pos, 9, rest[1] - '0', false};
    }
  }
  return {};
}

}  // namespace

std::optional<VideoFormat> video_format_for(const std::string& path, std::string& error) {
  if (find_frame_field(path).pos != std::string::npos) {
    if (!path.ends_with(".png")) {
      error = path + ": a numbered sequence is written as PNG: end it in .png";
      return std::nullopt;
    }
    return VideoFormat::PngSequence;
  }
  if (path.ends_with(".mp4")) return VideoFormat::Mp4;
  if (path.ends_with(".webm")) return VideoFormat::WebM;
  if (path.ends_with(".gif")) return VideoFormat::Gif;
  error = path + ": unknown video format: end it in .mp4, .webm or .gif, or give a PNG pattern like out_{frame:04}.png";
  return std::nullopt;
}

std::string png_sequence_path(const std::string& pattern, std::uint32_t frame) {
  std::string out = pattern;
  for (FrameField f = find_frame_field(out); f.pos != std::string::npos; f = find_frame_field(out, f.pos)) {
    out.replace(f.pos, f.length, f.zeros ? fmt::format("{:0{}}", frame, f.width) : fmt::format("{:{}}", frame, f.width));
  }
  return out;
}

std::vector<std::string> ffmpeg_arguments(const VideoSettings& s, bool rows_flipped) {
  std::vector<std::string> a = {"-hide_banner", "-loglevel", "error", "-y",
                                "-f", "rawvideo", "-pix_fmt", "rgba",
                                "-s", fmt::format("{}x{}", s.width, s.height),
                                "-framerate", fmt::format("{}", s.fps), "-i", "-"};
  std::string filters = rows_flipped ? "" : "vflip";
  auto add_filter = [&](const std::string& f) { filters += (filters.empty() ? "" : ",") + f; };
  switch (s.format) {
    case VideoFormat::Mp4:
      a.insert(a.end(), {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", s.preset, "-crf",
                         std::to_string(s.crf >= 0 ? s.crf : 23), "-movflags", "+faststart"});
      break;
    case VideoFormat::WebM:
      a.insert(a.end(), {"-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-b:v", "0", "-crf",
                         std::to_string(s.crf >= 0 ? s.crf : 32), "-row-mt", "1", "-deadline", "good",
                         "-cpu-used", "4"});
      break;
    case VideoFormat::Gif:
      // One pass: a palette made for this video, then dithered onto it.
      add_filter("split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5");
      break;
    case VideoFormat::PngSequence: break;
  }
  if (!filters.empty()) {
    a.push_back(s.format == VideoFormat::Gif ? "-filter_complex" : "-vf");
    a.push_back(filters);
  }
  a.push_back(s.path);
  return a;
}

// Frames travel from the renderer to the writer thread through a short
// queue; when it is full the renderer waits (the encoder sets the pace).
struct VideoExport::Impl {
  VideoSettings settings;
  Scene scene;
  SceneRenderer renderer;
  OffscreenTarget target;
  bool flip_in_gl = GLAD_GL_MESA_pack_invert != 0;
  std::size_t frame_bytes;
  gl::Buffer pbo[2];
  std::uint32_t next = 0;          // frames rendered
  std::optional<std::uint32_t> in_flight;  // frame whose readback is pending in pbo[in_flight % 2]
  std::unique_ptr<FfmpegPipe> ffmpeg;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<std::uint32_t, std::vector<std::uint8_t>>> queue;
  std::vector<std::vector<std::uint8_t>> spare;  // recycled frame buffers
  bool closing = false;
  std::atomic<bool> failed{false};
  std::string failure;
  std::atomic<std::uint32_t> done{0};
  std::thread writer;
  bool finished = false;
  const std::atomic<bool>* interrupt = nullptr;
  bool interrupted() const { return interrupt != nullptr && interrupt->load(); }

  Impl(const Params& params, VideoSettings s, const FontAtlas* font)
      : settings(std::move(s)), scene(params), renderer(font), target(settings.width, settings.height),
        frame_bytes(static_cast<std::size_t>(settings.width) * settings.height * 4) {
    for (auto& p : pbo) {
      glBindBuffer(GL_PIXEL_PACK_BUFFER, p.name());
      glBufferData(GL_PIXEL_PACK_BUFFER, static_cast<GLsizeiptr>(frame_bytes), nullptr, GL_STREAM_READ);
    }
    GL_CHECK(glBindBuffer(GL_PIXEL_PACK_BUFFER, 0));
    scene.playhead().seek(settings.from);
    renderer.set_scene(scene.layout(), scene.playhead());
    if (settings.format != VideoFormat::PngSequence) {
      try {
        ffmpeg = std::make_unique<FfmpegPipe>(ffmpeg_arguments(settings, flip_in_gl));
      } catch (const FfmpegError& e) {
        throw ExportError(std::string(e.what()) + "; or write a PNG sequence: --video out_{frame:04}.png");
      }
    }
    writer = std::thread([this] { write_loop(); });
  }

  std::uint32_t total() const { return settings.to - settings.from + 1; }

  void write_loop() {
    for (;;) {
      std::pair<std::uint32_t, std::vector<std::uint8_t>> item;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !queue.empty() || closing; });
        if (queue.empty()) return;
        item = std::move(queue.front());
        queue.pop_front();
      }
      changed.notify_all();
      if (!failed) write_frame(item.first, item.second);
      {
        std::lock_guard lock(mutex);
        spare.push_back(std::move(item.second));
      }
      done.fetch_add(1);
    }
  }

  void write_frame(std::uint32_t index, std::vector<std::uint8_t>& rgba) {
    if (ffmpeg) {
      if (!ffmpeg->write(rgba.data(), rgba.size())) fail("ffmpeg stopped reading");
      return;
    }
    Image img{settings.width, settings.height, std::move(rgba)};
    if (!flip_in_gl) flip_rows(img);
    try {
      write_png(png_sequence_path(settings.path, settings.from + index), img);
    } catch (const std::exception& e) {
      fail(e.what());
    }
    rgba = std::move(img.rgba);
  }

  static void flip_rows(Image& img) {
    const std::size_t row = static_cast<std::size_t>(img.width) * 4;
    for (int y = 0; y < img.height / 2; ++y) {
      std::swap_ranges(img.rgba.begin() + static_cast<std::ptrdiff_t>(y * row),
                       img.rgba.begin() + static_cast<std::ptrdiff_t>((y + 1) * row),
                       img.rgba.begin() + static_cast<std::ptrdiff_t>((img.height - 1 - y) * row));
    }
  }

  void fail(const std::string& why) {
    std::lock_guard lock(mutex);
    if (!failed) failure = why;
    failed = true;
  }

  Camera camera_for(std::uint32_t index) const {
    Camera c = settings.camera;
    c.azimuth += settings.orbit_degrees * static_cast<float>(index) / static_cast<float>(total());
    return c;
  }

  // Starts the GPU copy of what was just drawn into pbo[index % 2].
  void start_readback(std::uint32_t index) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.framebuffer());
    glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[index % 2].name());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    if (flip_in_gl) glPixelStorei(GL_PACK_INVERT_MESA, GL_TRUE);
    glReadPixels(0, 0, settings.width, settings.height, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    if (flip_in_gl) glPixelStorei(GL_PACK_INVERT_MESA, GL_FALSE);
    GL_CHECK(glBindBuffer(GL_PIXEL_PACK_BUFFER, 0));
    in_flight = index;
  }

  // Copies a finished readback out and queues it for the writer.
  void collect_readback() {
    if (!in_flight) return;
    const std::uint32_t index = *in_flight;
    in_flight.reset();
    std::vector<std::uint8_t> buffer;
    {
      std::unique_lock lock(mutex);
      // Back-pressure: the encoder sets the pace. Wake now and then to notice an interrupt.
      while (!changed.wait_for(lock, std::chrono::milliseconds(50), [&] { return queue.size() < 3 || failed.load(); })) {
        if (interrupted()) return;
      }
      if (!spare.empty()) {
        buffer = std::move(spare.back());
        spare.pop_back();
      }
    }
    buffer.resize(frame_bytes);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[index % 2].name());
    const void* pixels = glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0, static_cast<GLsizeiptr>(frame_bytes), GL_MAP_READ_BIT);
    if (pixels != nullptr) std::memcpy(buffer.data(), pixels, frame_bytes);
    glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
    GL_CHECK(glBindBuffer(GL_PIXEL_PACK_BUFFER, 0));
    {
      std::lock_guard lock(mutex);
      queue.emplace_back(index, std::move(buffer));
    }
    changed.notify_all();
  }

  bool step() {
    if (failed || interrupted()) return false;
    if (next == total()) {
      collect_readback();
      return false;
    }
    // A frame that changes nothing (the notebook's still frames) under a
    // still camera is the previous image again: the target still holds it.
    bool unchanged = false;
    if (next > 0) {
      scene.playhead().step_forward();
      unchanged = scene.timeline().changes_into(scene.playhead().frame()).empty() && settings.orbit_degrees == 0.0f;
      renderer.update(scene.playhead());
    }
    target.bind();
    if (!unchanged) renderer.draw(camera_for(next), settings.width, settings.height, settings.style);
    // Frame `next` is now queued on the GPU; while it renders, hand over
    // the previous one, whose copy into the other buffer has had a frame's time.
    const std::optional<std::uint32_t> previous = std::exchange(in_flight, std::nullopt);
    const std::uint32_t current = next;
    if (previous) {
      in_flight = previous;
      collect_readback();
    }
    start_readback(current);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    ++next;
    return true;
  }

  void stop_writer() {
    {
      std::lock_guard lock(mutex);
      closing = true;
    }
    changed.notify_all();
    if (writer.joinable()) writer.join();
  }

  void remove_output() {
    std::error_code ec;
    if (settings.format == VideoFormat::PngSequence) {
      for (std::uint32_t k = 0; k < total(); ++k) {
        std::filesystem::remove(png_sequence_path(settings.path, settings.from + k), ec);
      }
    } else {
      std::filesystem::remove(settings.path, ec);
    }
  }
};

VideoExport::VideoExport(const Params& params, VideoSettings settings, const FontAtlas* font) {
  if ((settings.format == VideoFormat::Mp4 || settings.format == VideoFormat::WebM) &&
      (settings.width % 2 != 0 || settings.height % 2 != 0)) {
    throw ExportError(fmt::format("size {}x{}: {} video (yuv420p) needs an even width and height", settings.width,
                                  settings.height, settings.format == VideoFormat::Mp4 ? "H.264" : "VP9"));
  }
  impl_ = std::make_unique<Impl>(params, std::move(settings), font);
}

VideoExport::~VideoExport() {
  if (impl_ && !impl_->finished) cancel();
}

bool VideoExport::step() { return impl_->step(); }

void VideoExport::finish() {
  Impl& s = *impl_;
  while (step()) {
  }
  s.collect_readback();
  s.stop_writer();
  s.finished = true;
  int code = 0;
  if (s.ffmpeg) code = s.ffmpeg->finish();
  if (s.failed || code != 0) {
    const std::string said = s.ffmpeg ? s.ffmpeg->output_tail() : "";
    s.remove_output();
    std::string message = s.ffmpeg ? fmt::format("ffmpeg failed (exit code {})", code) : s.failure;
    if (!said.empty()) message += ": " + said;
    throw ExportError(message);
  }
}

void VideoExport::cancel() {
  Impl& s = *impl_;
  if (s.finished) return;
  s.fail("cancelled");
  if (s.ffmpeg) s.ffmpeg->kill();
  s.stop_writer();
  s.finished = true;
  s.remove_output();
}

void VideoExport::watch_interrupt(const std::atomic<bool>* flag) { impl_->interrupt = flag; }

std::uint32_t VideoExport::frames_total() const { return impl_->total(); }
std::uint32_t VideoExport::frames_done() const { return impl_->done.load(); }
const VideoSettings& VideoExport::settings() const { return impl_->settings; }

}  // namespace pipescope
