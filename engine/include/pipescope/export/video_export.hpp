#pragma once
// Every frame of a timeline range, rendered offscreen and encoded as it
// goes: ffmpeg (H.264 .mp4, VP9 .webm, palette-optimised .gif) or a
// numbered PNG sequence. Rendering frame k+1 overlaps the encoding of
// frame k: readback goes through two pixel-buffer objects and a writer
// thread feeds the encoder. Incremental (step() renders one frame) so a
// command line loops it and the explorer spreads it over UI frames.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipescope/render/camera.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/render/style.hpp"

namespace pipescope {

struct SchedulePlan;

enum class VideoFormat { Mp4, WebM, Gif, PngSequence };

struct ExportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The format a path asks for: .mp4, .webm, .gif, or a pattern with
// "{frame}" / "{frame:04}" for PNGs. nullopt (and `error`) otherwise.
std::optional<VideoFormat> video_format_for(const std::string& path, std::string& error);
// A PNG sequence's file for `frame`: "out_{frame:04}.png" -> "out_0007.png".
std::string png_sequence_path(const std::string& pattern, std::uint32_t frame);

struct VideoSettings {
  std::string path;
  VideoFormat format = VideoFormat::Mp4;
  int width = 1600, height = 1600;  // the notebook's video
  double fps = 15.0;
  std::uint32_t from = 0, to = 0;   // inclusive frame range
  Camera camera;                    // the first frame's view
  float orbit_degrees = 0.0f;       // turned over the whole video
  int crf = -1;                     // -1: the encoder's default (23 for H.264, 32 for VP9)
  std::string preset = "medium";    // x264 preset
  RenderStyle style;
};

// The ffmpeg arguments for `s` (raw RGBA frames on standard input).
std::vector<std::string> ffmpeg_arguments(const VideoSettings& s, bool rows_flipped);

class VideoExport {
 public:
  // Needs a current OpenGL context for its whole life. Starts the encoder;
  // throws ExportError (ffmpeg missing, a size the format cannot take).
  // `plan`: the parameters' plan when the caller has one (the explorer's
  // analysis), so the export animates it without simulating it again.
  VideoExport(const Params& params, VideoSettings settings, const FontAtlas* font,
              std::shared_ptr<const SchedulePlan> plan = nullptr);
  ~VideoExport();  // cancels if not finished

  // Renders the next frame and hands it to the encoder; false once every
  // frame is handed over (or the encoder failed: finish() says why).
  bool step();
  // Waits for the encoder; throws ExportError with ffmpeg's own message and
  // exit code if it failed, after removing the partial output.
  void finish();
  // Stops now and removes the partial output.
  void cancel();
  // A flag (e.g. set by a Ctrl-C handler) that makes a step() waiting for
  // the encoder give up within a fraction of a second.
  void watch_interrupt(const std::atomic<bool>* flag);

  std::uint32_t frames_total() const;
  std::uint32_t frames_done() const;  // encoded or written
  const VideoSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pipescope
