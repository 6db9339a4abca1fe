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
#include "pipescope/animate/scene.hpp"

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
  if (path.find('{') != std::string::npos && path.ends_with(".png")) {
    error = path + ": its frame number pattern is not one pipescope knows: write {frame} or {frame:04} "
                   "(zero-padded to 4 digits), e.g. out_{frame:04}.png";
    return std::nullopt;
  }
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

// Frames travel from the GPU to the writer thread without a copy: each is
// read back into one of a ring of pixel-buffer objects, mapped, and written
// to ffmpeg straight from the mapping. A slot is unmapped (on the GL thread)
// and reused once the writer has released it, so the encoder sets the pace.
struct VideoExport::Impl {
  static constexpr int kSlots = 3;
  enum class Slot { Free, Reading, WithWriter, Released };

  VideoSettings settings;
  Scene scene;
  SceneRenderer renderer;
  OffscreenTarget target;
  bool flip_in_gl = GLAD_GL_MESA_pack_invert != 0;
  std::size_t frame_bytes;
  gl::Buffer pbo[kSlots];
  std::uint32_t next = 0;  // frames rendered
  std::unique_ptr<FfmpegPipe> ffmpeg;

  struct Handoff {
    std::uint32_t frame;
    int slot;
    const std::uint8_t* pixels;
  };
  std::mutex mutex;
  std::condition_variable changed;
  Slot slots[kSlots] = {Slot::Free, Slot::Free, Slot::Free};
  std::uint32_t slot_frame[kSlots] = {};
  std::deque<Handoff> queue;
  bool closing = false;
  std::atomic<bool> failed{false};
  std::string failure;
  std::atomic<std::uint32_t> done{0};
  std::thread writer;
  bool finished = false;
  const std::atomic<bool>* interrupt = nullptr;
  bool interrupted() const { return interrupt != nullptr && interrupt->load(); }

  Impl(const Params& params, VideoSettings s, const FontAtlas* font, std::shared_ptr<const SchedulePlan> plan)
      : settings(std::move(s)), scene(plan ? Scene(params, std::move(plan)) : Scene(params)), renderer(font), target(settings.width, settings.height),
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
      Handoff item;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !queue.empty() || closing; });
        if (queue.empty()) return;
        item = queue.front();
        queue.pop_front();
      }
      if (!failed) write_frame(item.frame, item.pixels);
      {
        std::lock_guard lock(mutex);
        slots[item.slot] = Slot::Released;
      }
      done.fetch_add(1);
      changed.notify_all();
    }
  }

  void write_frame(std::uint32_t index, const std::uint8_t* rgba) {
    if (ffmpeg) {
      if (!ffmpeg->write(rgba, frame_bytes)) fail("ffmpeg stopped reading");
      return;
    }
    Image img{settings.width, settings.height, std::vector<std::uint8_t>(rgba, rgba + frame_bytes)};
    if (!flip_in_gl) flip_rows(img);
    try {
      write_png(png_sequence_path(settings.path, settings.from + index), img);
    } catch (const std::exception& e) {
      fail(e.what());
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

  // Makes `slot` free for a new readback: waits until the writer is done
  // with its frame, then unmaps it. False if interrupted or failed meanwhile.
  bool reclaim(int slot) {
    {
      std::unique_lock lock(mutex);
      // Wake now and then to notice an interrupt (a Ctrl-C handler cannot notify).
      while (!changed.wait_for(lock, std::chrono::milliseconds(50),
                               [&] { return slots[slot] != Slot::WithWriter || failed.load(); })) {
        if (interrupted()) return false;
      }
      if (slots[slot] == Slot::WithWriter) return false;  // failed: the writer may still hold it
    }
    if (slots[slot] == Slot::Released) {
      glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[slot].name());
      glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
      glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    }
    slots[slot] = Slot::Free;
    return true;
  }

  // Starts the GPU copy of what was just drawn into `slot`.
  void start_readback(std::uint32_t index, int slot) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.framebuffer());
    glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[slot].name());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    if (flip_in_gl) glPixelStorei(GL_PACK_INVERT_MESA, GL_TRUE);
    glReadPixels(0, 0, settings.width, settings.height, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    if (flip_in_gl) glPixelStorei(GL_PACK_INVERT_MESA, GL_FALSE);
    GL_CHECK(glBindBuffer(GL_PIXEL_PACK_BUFFER, 0));
    slots[slot] = Slot::Reading;
    slot_frame[slot] = index;
  }

  // Maps a finished readback and hands the mapping to the writer.
  void hand_over(int slot) {
    if (slots[slot] != Slot::Reading) return;
    glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[slot].name());
    const auto* pixels = static_cast<const std::uint8_t*>(
        glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0, static_cast<GLsizeiptr>(frame_bytes), GL_MAP_READ_BIT));
    GL_CHECK(glBindBuffer(GL_PIXEL_PACK_BUFFER, 0));
    if (pixels == nullptr) {
      fail("could not map a frame read back from OpenGL");
      slots[slot] = Slot::Free;
      return;
    }
    {
      std::lock_guard lock(mutex);
      slots[slot] = Slot::WithWriter;
      queue.push_back({slot_frame[slot], slot, pixels});
    }
    changed.notify_all();
  }

  bool step() {
    if (failed || interrupted()) return false;
    if (next == total()) {
      hand_over(static_cast<int>((next - 1) % kSlots));
      return false;
    }
    const int slot = static_cast<int>(next % kSlots);
    if (!reclaim(slot)) return false;
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
    start_readback(next, slot);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    // While this frame renders, the previous one (read back a frame ago) goes to the writer.
    if (next > 0) hand_over(static_cast<int>((next - 1) % kSlots));
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
    // The writer is gone: every mapping can be released.
    for (int s = 0; s < kSlots; ++s) {
      if (slots[s] == Slot::WithWriter || slots[s] == Slot::Released) {
        glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo[s].name());
        glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
      }
      slots[s] = Slot::Free;
    }
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
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

VideoExport::VideoExport(const Params& params, VideoSettings settings, const FontAtlas* font,
                         std::shared_ptr<const SchedulePlan> plan) {
  if ((settings.format == VideoFormat::Mp4 || settings.format == VideoFormat::WebM) &&
      (settings.width % 2 != 0 || settings.height % 2 != 0)) {
    throw ExportError(fmt::format("size {}x{}: {} video (yuv420p) needs an even width and height", settings.width,
                                  settings.height, settings.format == VideoFormat::Mp4 ? "H.264" : "VP9"));
  }
  impl_ = std::make_unique<Impl>(params, std::move(settings), font, std::move(plan));
}

VideoExport::~VideoExport() {
  if (impl_ && !impl_->finished) cancel();
}

bool VideoExport::step() { return impl_->step(); }

void VideoExport::finish() {
  Impl& s = *impl_;
  while (step()) {
  }
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
