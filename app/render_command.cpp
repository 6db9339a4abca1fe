#include "render_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "input_checks.hpp"
#include "interrupts.hpp"
#include "explorer/lanes_image.hpp"
#include "output_file.hpp"
#include "param_flags.hpp"
#include "video_command.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/still.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope::app {

namespace {

// Past this an RGBA image needs over 1 GiB of memory; llvmpipe stops at 16384 anyway.
constexpr int kMaxImageSide = 16384;
constexpr long long kMaxPixels = 16384LL * 16384LL;

int fail(const std::string& message) {
  std::cerr << "pipescope: " << message << "\n";
  return 2;
}

}  // namespace

RenderStyle style_from(const RenderOptions& o) {
  RenderStyle style;
  style.labels = !o.no_labels;
  style.edges = !o.no_edges;
  style.level_of_detail = !o.full_detail;
  style.declutter_labels = !o.all_labels;
  style.order_independent = o.transparency == "oit";
  style.axes = !o.no_axes;
  style.pixel_scale = static_cast<float>(o.scale);
  style.background = glm::vec4(o.background, o.transparent ? 0.0f : 1.0f);
  return style;
}

bool load_font(const RenderOptions& o, const RenderStyle& style, std::unique_ptr<FontAtlas>& font, std::string& error) {
  if (!style.labels && !style.axes) return true;
  if (!o.font.empty()) {
    if (error = unusable_font_reason("--font", o.font); !error.empty()) return false;
  }
  font = std::make_unique<FontAtlas>(o.font, 14.0f * style.pixel_scale);  // empty: built in
  return true;
}

namespace {

// The PNG through an OutputFile: whole or not at all, the old file (a link's
// target, a device) never removed; Ctrl-C while writing leaves nothing.
int write_output(const std::string& path, const Image& image, const PngText& text) {
  const InterruptWatch interrupts;
  try {
    OutputFile file(path);
    write_png(file.writing(), image, text);
    if (interrupts.raised()) {
      std::cerr << "pipescope: interrupted: " << path << " was not written\n";
      return kExitInterrupted;
    }
    file.commit();
  } catch (const std::exception& e) {
    std::cerr << "pipescope: -o: " << e.what() << " (nothing was written)\n";
    return 1;
  }
  std::cout << "wrote " << path << "\n";
  return 0;
}

}  // namespace

bool parse_size(const std::string& text, int& width, int& height, std::string& error) {
  // WIDTHxHEIGHT, digits only, at most 9 each (so the numbers cannot overflow).
  const auto x = text.find('x');
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (x == std::string::npos || !digits(text.substr(0, x)) || !digits(text.substr(x + 1))) {
    error = "--size: \"" + text + "\" is not WIDTHxHEIGHT in pixels, e.g. 1920x1080";
    return false;
  }
  const long long w = std::stoll(text.substr(0, x)), h = std::stoll(text.substr(x + 1));
  if (w < 1 || h < 1) {
    error = "--size: " + text + ": width and height must be at least 1 pixel";
    return false;
  }
  if (w > 16384 || h > 16384 || w * h > kMaxPixels) {
    error = "--size: " + text + " is too large: at most 16384 pixels a side";
    return false;
  }
  width = static_cast<int>(w);
  height = static_cast<int>(h);
  return true;
}

void add_render_flags(CLI::App& cmd, RenderOptions& o) {
  // A session's frame, camera and look; the flags below override them.
  add_param_flags(cmd, o.params, [&o](const Session& s) {
    o.frame = s.frame;
    o.camera = s.camera;
    if (s.camera) o.projection = s.camera->projection == Projection::Orthographic ? "orthographic" : "perspective";
    o.no_labels = !s.view.labels;
    o.all_labels = !s.view.declutter_labels;
    o.no_edges = !s.view.edges;
    o.no_axes = !s.view.axes;
    o.transparency = s.view.order_independent ? "oit" : "sorted";
    o.background = s.view.background;
  });
  cmd.add_option("--frame", o.frame, "frame to draw: 0 is before the first step")
      ->transform(whole_number())
      ->capture_default_str();
  cmd.add_option("-o,--output", o.output, "PNG file to write (one frame)");
  cmd.add_option("--video", o.video,
                 "write every frame instead: out.mp4 (H.264), out.webm (VP9), out.gif, or out_{frame:04}.png");
  cmd.add_option("--fps", o.fps, "video frames per second")->transform(finite_number())->capture_default_str();
  cmd.add_option("--from", o.from, "first frame of the video (default 0)")->transform(whole_number());
  cmd.add_option("--to", o.to, "last frame of the video (default: the last)")->transform(whole_number());
  cmd.add_option("--orbit", o.orbit, "turn the camera by this many degrees over the video")
      ->transform(finite_number())
      ->capture_default_str();
  cmd.add_option("--crf", o.crf,
                 "encoder quality, passed to ffmpeg (lower is better): 0-51 for H.264 (.mp4, default 23), "
                 "0-63 for VP9 (.webm, default 32)")
      ->transform(whole_number());
  cmd.add_option("--x264-preset", o.preset, "x264 speed preset, passed to ffmpeg (ultrafast ... veryslow)")
      ->capture_default_str();
  cmd.add_flag("--quiet", o.quiet, "no progress bar");
  cmd.add_flag("--layer-view", o.layer_view,
               "draw one transformer layer of one microbatch at its true shapes instead of the pipeline: QKV, "
               "attention, output projection and MLP (or experts), each matmul cut as tp, cp, sp and ep cut it, one "
               "colour a GPU, animated through F, the backward and W with its collectives");
  cmd.add_flag("--lanes", o.lanes,
               "draw the schedule's lanes (one per rank) and activation memory instead of the 3D scene, "
               "as the explorer's timeline shows them; --frame places the playhead");
  cmd.add_option("--compare", o.compare,
                 "render --lanes: also draw this schedule (a zoo name, with the same parameters) beneath, on the "
                 "same time axis");
  cmd.add_option("--size", o.size, "image size in pixels, WIDTHxHEIGHT (render --lanes: as tall as the lanes need "
                                   "unless given)")
      ->capture_default_str()
      ->each([&o](const std::string&) { o.size_given = true; });
  cmd.add_option_function<std::string>(
         "--view",
         [&o](const std::string& v) {
           o.view = v;
           o.camera.reset();  // over a session's camera
         },
         "camera: notebook (matplotlib's default view), front, top or side")
      ->default_str("notebook");
  cmd.add_option("--projection", o.projection, "perspective or orthographic")->capture_default_str();
  cmd.add_option("--transparency", o.transparency,
                 "sorted (back to front) or oit (weighted blended order-independent)")
      ->capture_default_str();
  cmd.add_option("--font", o.font, "font file for labels (default: DejaVu Sans, built in)");
  cmd.add_flag("--transparent", o.transparent, "transparent background instead of white");
  cmd.add_flag("--no-labels", o.no_labels, "draw no labels");
  cmd.add_flag("--all-labels", o.all_labels,
               "draw every label, overlapping, as the notebook does (default: those that fit)");
  cmd.add_flag("--no-edges", o.no_edges, "draw no edge lines");
  cmd.add_flag("--full-detail", o.full_detail,
               "draw every microbatch's objects, however small (default: a large scene seen from afar draws "
               "consecutive microbatches in the same state as one box)");
  cmd.add_flag("--no-axes", o.no_axes, "draw no axis arrows");
  cmd.add_option("--scale", o.scale, "scale of text and line widths (e.g. 2 for a 4K image)")
      ->transform(finite_number())
      ->capture_default_str();
}

int run_render(const RenderOptions& o) {  // parameters already validated by the command line
  int width = 0, height = 0;
  std::string error;
  if (!parse_size(o.size, width, height, error)) return fail(error);
  ViewPreset preset{};
  if (!parse_view_preset(o.view, preset)) {
    return fail("--view: \"" + o.view + "\" is not a view: use notebook, front, top or side");
  }
  Projection projection{};
  if (o.projection == "perspective") {
    projection = Projection::Perspective;
  } else if (o.projection == "orthographic") {
    projection = Projection::Orthographic;
  } else {
    return fail("--projection: \"" + o.projection + "\" is not perspective or orthographic");
  }
  if (o.transparency != "sorted" && o.transparency != "oit") {
    return fail("--transparency: \"" + o.transparency + "\" is not sorted or oit");
  }
  if (!(o.scale > 0.0 && o.scale <= 16.0)) return fail("--scale: " + std::to_string(o.scale) + " must be in (0, 16]");
  if (o.video.empty() == o.output.empty()) {
    return fail(o.video.empty() ? "--output: give -o FILE.png for one frame, or --video FILE for all of them"
                                : "-o and --video: give one of them, not both");
  }
  const bool video = !o.video.empty();
  // A device (/dev/null, /dev/stdout) is written in place, whatever its name.
  const bool device = std::filesystem::exists(o.output) && !std::filesystem::is_regular_file(o.output) &&
                      !std::filesystem::is_directory(o.output);
  if (!video && !device && !o.output.ends_with(".png")) return fail("-o: " + o.output + " must end in .png");
  if (error = unwritable_reason(video ? "--video" : "-o", video ? o.video : o.output); !error.empty()) {
    return fail(error);
  }

  if (!o.compare.empty() && !o.lanes) return fail("--compare: draws a second schedule's lanes: give it with --lanes");
  if (o.layer_view && o.lanes) return fail("--layer-view and --lanes: give one of them, not both");
  if (o.layer_view && o.params.model != CostModel::Transformer) {
    return fail("--layer-view: shows a transformer's layer, but the model is the notebook's MLP: give --model "
                "transformer (or a real preset)");
  }
  if (o.lanes) {
    if (video) return fail("--lanes: the lanes are one picture: give -o FILE.png, not --video");
    // The compared schedule: the same parameters under another zoo schedule.
    std::optional<Params> compared;
    if (!o.compare.empty()) {
      const auto kind = schedule_from_name(o.compare);
      if (!kind || *kind == ScheduleKind::Auto) {
        std::vector<std::string> names;
        for (const ScheduleInfo& info : schedule_catalog()) {
          if (info.kind != ScheduleKind::Auto) names.emplace_back(info.name);
        }
        return fail(fmt::format("--compare: \"{}\" is not a schedule of the zoo: use one of {}", o.compare,
                                fmt::join(names, ", ")));
      }
      compared = o.params;
      compared->schedule = *kind;
      compared->schedule_file.reset();
      compared->measured.reset();
      compared->time_f.clear();
      compared->time_i.clear();
      compared->time_w.clear();
      compared->time_allreduce.reset();
      if (o.params.measured) {  // the measured step's costs: its ideal's
        compared->time_f = o.params.time_f;
        compared->time_i = o.params.time_i;
        compared->time_w = o.params.time_w;
        compared->time_allreduce = o.params.time_allreduce;
      }
      if (compared->schedule != o.params.schedule || o.params.schedule_file) compared->chunks.reset();
      if (const auto errors = validate(*compared); !errors.empty()) {
        return fail(fmt::format("--compare: {} cannot run with these parameters: {}", o.compare,
                                errors.front().message));
      }
    }
    const std::int64_t last = static_cast<std::int64_t>(frame_count(o.params));
    if (o.frame < 0 || o.frame > last) {
      return fail("--frame: " + std::to_string(o.frame) + " is outside this schedule's frames 0.." + std::to_string(last));
    }
    if (!o.size_given) {  // as tall as the lanes need
      // A measured step's ideal lanes go beneath its own.
      const std::int64_t lanes = lanes_image_rows(o.params, compared ? &*compared : nullptr);
      const int captions = (o.params.measured ? 40 : 0) + (compared ? 40 : 0);
      height = static_cast<int>(std::min<std::int64_t>(200 + 20 * lanes + captions, kMaxImageSide));
    }
    // Each rank's lane is 20 pixels (scaled with the width) in one GL texture:
    // past its largest side the ranks are too many, whatever the picture's size.
    const double lane_px = 20.0 * std::max(1.0, width / 1600.0);
    const auto most_ranks = static_cast<std::int64_t>(kMaxImageSide / lane_px);
    if (const auto rows = lanes_image_rows(o.params, compared ? &*compared : nullptr); rows > most_ranks) {
      const std::string what = rows == o.params.pp ? fmt::format("pp is {}", o.params.pp)
                                                   : fmt::format("the lanes are {} rows (pp {}, with {})", rows,
                                                                 o.params.pp,
                                                                 compared ? "the compared schedule's" : "every replica's");
      return fail(fmt::format("--lanes: {}, but lanes are drawn for up to {} ranks ({} pixels each in a "
                              "picture {} wide; at most {} pixels tall): lower --pp, or use stats or trace for "
                              "this many ranks",
                              what, most_ranks, lane_px, width, kMaxImageSide));
    }
    std::string font_error;
    if (!o.font.empty()) {
      if (font_error = unusable_font_reason("--font", o.font); !font_error.empty()) return fail(font_error);
    }
    gl::HeadlessContext context;
    const Image image = render_lanes_image(o.params, width, height, static_cast<std::uint32_t>(o.frame), o.font,
                                           {compared ? &*compared : nullptr, o.compare})
                            .image;
    Session session;  // reopens on the same schedule and frame
    session.params = o.params;
    session.frame = o.frame;
    return write_output(o.output, image,
                        png_text_with_session({{"pipescope.params", params_json(o.params)}, {"pipescope.view", "lanes"}},
                                              session, std::filesystem::path(o.output).parent_path()));
  }

  Scene scene = o.layer_view ? Scene(o.params, kLayerView) : Scene(o.params);
  const std::uint32_t last = scene.timeline().last_frame();
  if (video) return run_video(o, scene, preset, projection, width, height);
  if (o.frame < 0 || o.frame > static_cast<std::int64_t>(last)) {
    return fail("--frame: " + std::to_string(o.frame) + " is outside this schedule's frames 0.." +
                std::to_string(last));
  }
  scene.playhead().seek(static_cast<std::uint32_t>(o.frame));

  const RenderStyle style = style_from(o);
  std::unique_ptr<FontAtlas> font;
  if (!load_font(o, style, font, error)) return fail(error);

  gl::HeadlessContext context;
  SceneRenderer renderer(font.get());
  renderer.set_scene(scene.layout(), scene.playhead());
  Camera camera =
      o.camera ? *o.camera
               : fitted_camera(scene.layout(), preset, projection, static_cast<float>(width) / static_cast<float>(height));
  camera.projection = projection;
  const Image image = render_still(renderer, camera, width, height, style);
  Session session;
  session.params = scene.params();
  session.frame = o.frame;
  session.camera = camera;
  session.view = view_of(style);
  return write_output(o.output, image,
                      png_text_with_session(still_metadata(scene.params(), scene.playhead().frame(), camera), session,
                                            std::filesystem::path(o.output).parent_path()));
}

}  // namespace pipescope::app
