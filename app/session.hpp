#pragma once
// A session: everything a person set in pipescope (parameters, schedule or
// schedule file, costs, camera, frame, view options, compare settings and
// the panels' layout), as a versioned JSON file. Every command reads one
// (--session FILE, --preset NAME); the explorer also writes them, and a PNG
// pipescope wrote carries its session in a text chunk, so a screenshot opens
// as the view it shows.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <glm/glm.hpp>

#include "pipescope/render/camera.hpp"
#include "pipescope/export/png.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/render/style.hpp"

namespace pipescope::app {

inline constexpr int kSessionVersion = 1;

// The look options a session keeps (a subset of RenderStyle: the rest are
// per-output, such as pixel scale).
struct SessionView {
  bool labels = true, declutter_labels = true, edges = true, axes = true, order_independent = false;
  glm::vec3 background{1.0f};
  bool layer_view = false;  // the explorer shows one layer instead of the pipeline
  bool operator==(const SessionView&) const = default;
};

struct SessionCompare {
  std::string schedule;  // a built-in schedule's name; empty: nothing compared
  std::int64_t pp = 0, microbatches = 0;  // 0: the scene's
  bool operator==(const SessionCompare&) const = default;
};

// The explorer's panels: what is open and where the lanes look.
struct SessionLayout {
  std::map<std::string, bool> sections;  // side panel header -> open
  double lanes_start = 0.0, lanes_span = 0.0;  // span 0: fit the whole schedule
  bool replicas_unfolded = false;
  bool operator==(const SessionLayout&) const = default;
};

// The explorer's Export and Export video settings.
struct SessionExport {
  int width = 1920, height = 1080;  // screenshots
  bool transparent = false, include_ui = false;
  std::string video_path = "pipescope.mp4";
  int video_width = 1600, video_height = 1600;
  double fps = 15.0;
  double orbit_degrees = 0.0;
  bool operator==(const SessionExport&) const = default;
};

struct Session {
  std::string description;  // one line, for presets
  Params params;
  std::int64_t frame = 0;
  std::optional<Camera> camera;  // none: the notebook's view, fitted
  SessionView view;
  SessionCompare compare;
  SessionLayout layout;
  SessionExport exports;
};

// "camera.elevation: 95 is outside -90..90" - the key path, then the rule.
struct SessionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A session (or a PNG's) whose schedule_file lies outside the session's own
// folder: a file someone sent must not read the user's other files unless
// the user says so (the explorer asks; --trust-session on the command line).
struct UntrustedPath : SessionError {
  UntrustedPath(std::string message, std::string session_path, std::string file)
      : SessionError(std::move(message)), session(std::move(session_path)), outside(std::move(file)) {}
  std::string session, outside;  // the session, and the path it names
};

struct LoadedSession {
  Session session;
  std::vector<std::string> warnings;  // unknown keys, each with its path
};

// Parses a session's JSON. A schedule file's relative path is resolved
// against `folder` (the session file's); one that leaves it, or an absolute
// one, is refused (UntrustedPath) unless `trusted`. All or nothing: any bad
// value throws SessionError naming its key path and rule, and nothing is
// returned.
LoadedSession parse_session(std::string_view json, const std::filesystem::path& folder, bool trusted = false);
// The session as JSON (pretty, keys in a fixed order). Its schedule file is
// written relative to `folder` (where the session will lie) when it lies
// inside it, else as an absolute path.
std::string session_json(const Session& session, const std::filesystem::path& folder = {});
// Reads a .json session or a PNG that pipescope wrote; errors start with the path.
LoadedSession load_session(const std::string& path, bool trusted = false);
// Writes the session (a temporary file beside it, renamed when whole).
void save_session(const std::string& path, const Session& session);

// The text chunk that carries a session in a PNG pipescope wrote.
inline constexpr const char* kPngSessionKey = "pipescope.session";
// still_metadata plus the session, for a PNG written into `folder`.
PngText png_text_with_session(PngText text, const Session& session, const std::filesystem::path& folder);

RenderStyle apply_view(RenderStyle style, const SessionView& view);
SessionView view_of(const RenderStyle& style);

}  // namespace pipescope::app
