#include "session.hpp"

#include <algorithm>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipescope/io/input_file.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/model/param_table.hpp"
#include "param_flags.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "output_file.hpp"
#include "session_paths.hpp"

namespace pipescope::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

[[noreturn]] void refuse(const std::string& path, const std::string& rule) { throw SessionError(path + ": " + rule); }

// A value as an error quotes it: at most a few dozen characters, control
// bytes escaped (dump() writes them as \u00XX), never the whole of a huge one.
std::string shown(const json& v) {
  std::string s = v.dump(-1, ' ', true, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Deeper than any session needs (its deepest value is 3 levels down): a
// bound, so that nothing reading the value can recurse without end.
constexpr int kMaxJsonDepth = 16;

// One JSON object being read: typed getters that name the key path in their
// errors, and the keys nobody asked for, reported as warnings.
class Object {
 public:
  Object(const json& j, std::string path, std::vector<std::string>& warnings)
      : j_(j), path_(std::move(path)), warnings_(warnings) {
    if (!j_.is_object()) refuse(path_.empty() ? "session" : path_, "must be a JSON object, got " + shown(j_));
  }
  ~Object() = default;
  Object(const Object&) = delete;

  // Call once every key has been read.
  void warn_unknown() {
    for (const auto& [key, value] : j_.items()) {
      if (!read_.count(key)) warnings_.push_back("unknown key " + at(key) + " ignored");
    }
  }
  // The key path as messages quote it: a key from the file, escaped.
  std::string at(const std::string& key) const {
    const std::string shown_key = printable(key, 40);
    return path_.empty() ? shown_key : path_ + "." + shown_key;
  }
  bool has(const std::string& key) const { return j_.contains(key); }
  const json* find(const std::string& key) {
    read_.insert(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  std::optional<std::int64_t> integer(const std::string& key) {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      refuse(at(key), shown(*v) + " is too large");
    }
    if (!v->is_number_integer()) refuse(at(key), "must be a whole number, got " + shown(*v));
    return v->get<std::int64_t>();
  }
  std::optional<double> number(const std::string& key, double lo, double hi) {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number()) refuse(at(key), "must be a number, got " + shown(*v));
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
      refuse(at(key), shown(*v) + " is outside " + fmt(lo) + ".." + fmt(hi));
    }
    return d;
  }
  std::optional<bool> boolean(const std::string& key) {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_boolean()) refuse(at(key), "must be true or false, got " + shown(*v));
    return v->get<bool>();
  }
  std::optional<std::string> string(const std::string& key) {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) refuse(at(key), "must be a string, got " + shown(*v));
    return v->get<std::string>();
  }
  std::optional<glm::vec3> vec3(const std::string& key, double lo, double hi) {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array() || v->size() != 3) refuse(at(key), "must be three numbers [x, y, z], got " + shown(*v));
    glm::vec3 out;
    for (int i = 0; i < 3; ++i) {
      const json& e = (*v)[static_cast<std::size_t>(i)];
      const std::string where = at(key) + "[" + std::to_string(i) + "]";
      if (!e.is_number()) refuse(where, "must be a number, got " + shown(e));
      const double d = e.get<double>();
      if (!std::isfinite(d) || d < lo || d > hi) refuse(where, shown(e) + " is outside " + fmt(lo) + ".." + fmt(hi));
      out[i] = static_cast<float>(d);
    }
    return out;
  }

 private:
  static std::string fmt(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
  const json& j_;
  std::string path_;
  std::vector<std::string>& warnings_;
  std::set<std::string> read_;
};

// Coordinates stay within what the scene can hold (validation caps extents at 2^24).
constexpr double kWorld = 1e9;

Params read_params(Object& o, const fs::path& folder, bool trusted) {
  Params p;
  for (const ParamSpec& spec : param_table()) {
    const std::string key(spec.key);
    const json* present = o.find(key);
    if (!present) continue;
    switch (spec.type()) {
      case ParamType::Integer: {
        const auto v = o.integer(key);
        if (!v && !spec.is_optional()) refuse(o.at(key), "must be a whole number, got null");
        spec.set(p, v);
        break;
      }
      case ParamType::Number:  // its range is validate()'s, below
        if (const auto v = o.number(key, -1e300, 1e300)) p.*spec.number = *v;
        break;
      case ParamType::OptionalNumber:  // null: unset (derived)
        if (!present->is_null()) {
          if (const auto v = o.number(key, -1e300, 1e300)) p.*spec.optional_number = *v;
        }
        break;
      case ParamType::Choice: {
        const auto name = o.string(key);
        if (!name) break;
        const auto index = spec.choice_index(*name);
        if (!index) refuse(o.at(key), shown(json(*name)) + " is not a choice; choose " + spec.choice_list());
        p.*spec.value = *index;
        break;
      }
      case ParamType::PerStage: {
        // One number for every stage, or a list of one per stage.
        std::vector<double> list;
        auto item = [&](const json& e, const std::string& where) {
          if (!e.is_number() || !std::isfinite(e.get<double>())) refuse(where, "must be a number, got " + shown(e));
          list.push_back(e.get<double>());
        };
        if (present->is_array()) {
          for (std::size_t i = 0; i < present->size(); ++i) item((*present)[i], o.at(key) + "[" + std::to_string(i) + "]");
        } else if (!present->is_null()) {
          item(*present, o.at(key));
        }
        p.*spec.per_stage = std::move(list);
        break;
      }
    }
  }
  if (const auto model = o.string("model")) {
    const auto m = model_from_name(*model);
    if (!m) refuse(o.at("model"), shown(json(*model)) + " is not a model; choose notebook or transformer");
    p.model = *m;
  }
  const auto schedule = o.string("schedule");
  const auto file = o.string("schedule_file");
  if (schedule && file) refuse(o.at("schedule_file"), "give schedule or schedule_file, not both");
  if (schedule) {
    const auto kind = schedule_from_name(*schedule);
    if (!kind) refuse(o.at("schedule"), shown(json(*schedule)) + " is not a schedule; choose one of: " + schedule_names());
    p.schedule = *kind;
  }
  // A file the session names (a schedule, traces): beside it, unless trusted.
  auto beside = [&](const std::string& key, const std::string& named) {
    // "" would name the session's own folder (and read the session itself as a trace).
    if (named.empty()) refuse(o.at(key), "is empty: name a file (or a folder of traces) beside the session, or leave " + key + " out");
    if (!trusted && !inside_folder(named)) {
      throw UntrustedPath(o.at(key) + ": " + shown(json(named)) + " lies outside the session's folder: "
                              "a session may read only files beside it unless you trust it (the explorer asks; "
                              "on the command line, --trust-session)",
                          "", named);
    }
    if (!trusted && !resolves_inside_folder(folder, named)) {
      throw UntrustedPath(o.at(key) + ": " + shown(json(named)) + " links to files outside the session's folder: "
                              "a session may read only files beside it unless you trust it (the explorer asks; "
                              "on the command line, --trust-session)",
                          "", named);
    }
    return (fs::path(named).is_absolute() ? fs::path(named) : folder / named).lexically_normal();
  };
  if (file) {
    const fs::path path = beside("schedule_file", *file);
    try {
      p.schedule_file = load_schedule_file(path.string());
    } catch (const ScheduleFileError& e) {
      refuse(o.at("schedule_file"), e.what());
    }
    // The file fixes the pipeline's shape, as --schedule-file does: what the
    // session left out comes from it, what it gave must agree.
    apply_schedule_file_shape(p, o.has("pp"), o.has("microbatches"), o.has("chunks"), o.has("L"));
  }
  if (const auto measured = o.string("measured")) {
    // A measured step's traces: beside the session, as a schedule file is.
    const fs::path path = beside("measured", *measured);
    try {
      apply_measured_run(p, load_measured_run({path.string()}), o.has("pp"), o.has("microbatches"),
                         o.has("L"));
    } catch (const MeasuredRunError& e) {
      refuse(o.at("measured"), e.what());
    }
  }
  for (const ParamError& e : validate(p)) refuse(o.at(e.field), e.message);  // the first rule broken
  return p;
}

Camera read_camera(Object& o) {
  Camera c;
  if (auto v = o.vec3("target", -kWorld, kWorld)) c.target = *v;
  if (auto v = o.number("distance", 1e-3, kWorld)) c.distance = static_cast<float>(*v);
  if (auto v = o.number("azimuth", -36000, 36000)) c.azimuth = static_cast<float>(*v);
  // The camera's own clamp keeps it off the poles; a session must not rely on it.
  if (auto v = o.number("elevation", -89.9, 89.9)) c.elevation = static_cast<float>(*v);
  if (auto v = o.number("fov_y", 1, 179)) c.fov_y = static_cast<float>(*v);
  if (auto v = o.string("projection")) {
    if (*v == "perspective") {
      c.projection = Projection::Perspective;
    } else if (*v == "orthographic") {
      c.projection = Projection::Orthographic;
    } else {
      refuse(o.at("projection"), "\"" + *v + "\" is not perspective or orthographic");
    }
  }
  return c;
}

}  // namespace

LoadedSession parse_session(std::string_view text, const fs::path& folder, bool trusted) {
  json j;
  // Refused while parsing: nesting past kMaxJsonDepth and a key given twice
  // in one object (which of the two would count is not the user's choice).
  std::vector<std::set<std::string>> keys;
  std::vector<std::string> at;  // the key being read at each level, to name where a bad number lies
  const json::parser_callback_t check = [&keys, &at](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) {
      throw SessionError("nests deeper than " + std::to_string(kMaxJsonDepth) + " levels; a session needs 3");
    }
    if (event == json::parse_event_t::object_start) {
      keys.emplace_back();
      at.emplace_back();
    }
    if (event == json::parse_event_t::object_end && !keys.empty()) {
      keys.pop_back();
      at.pop_back();
    }
    if (event == json::parse_event_t::key && !keys.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second) throw SessionError("the key " + shown(parsed) + " is given twice in one object");
      at.back() = printable(key, 40);
    }
    return true;
  };
  try {
    j = json::parse(text, check);
  } catch (const json::out_of_range& e) {  // a number beyond a double: say where it lies
    std::string where;
    for (const std::string& k : at) where += (where.empty() ? "" : ".") + k;
    std::string what = e.what();
    if (what.size() > 160) what = what.substr(0, 160) + "...";
    throw SessionError(fmt::format("{}: is a number beyond what a double holds (about 1.8e308 either way): {}",
                                   where.empty() ? "the file" : where, what));
  } catch (const json::exception& e) {  // parse errors
    // nlohmann quotes what it read: keep a 100,000-digit number out of a one-line message.
    std::string what = e.what();
    if (what.size() > 240) what = what.substr(0, 240) + "...";
    throw SessionError("not JSON: " + what);
  }
  LoadedSession out;
  Session& s = out.session;
  Object root(j, "", out.warnings);
  const auto version = root.integer("pipescope_session");
  if (!version) refuse("pipescope_session", "missing: a session file starts with {\"pipescope_session\": 1, ...}");
  if (*version > kSessionVersion) {
    refuse("pipescope_session", "version " + std::to_string(*version) + " was written by a newer pipescope; this one "
                                "reads version " + std::to_string(kSessionVersion));
  }
  if (*version < 1) refuse("pipescope_session", std::to_string(*version) + " is not a session version (1 or more)");
  if (auto d = root.string("description")) s.description = *d;
  if (const json* p = root.find("params")) {
    Object o(*p, "params", out.warnings);
    s.params = read_params(o, folder, trusted);
    o.warn_unknown();
  }
  if (const auto frame = root.integer("frame")) {
    const auto last = static_cast<std::int64_t>(frame_count(s.params));
    if (*frame < 0 || *frame > last) {
      refuse("frame", std::to_string(*frame) + " is outside this schedule's frames 0.." + std::to_string(last));
    }
    s.frame = *frame;
  }
  if (const json* c = root.find("camera"); c && !c->is_null()) {
    Object o(*c, "camera", out.warnings);
    s.camera = read_camera(o);
    o.warn_unknown();
  }
  if (const json* v = root.find("view")) {
    Object o(*v, "view", out.warnings);
    SessionView& view = s.view;
    if (auto b = o.boolean("labels")) view.labels = *b;
    if (auto b = o.boolean("declutter_labels")) view.declutter_labels = *b;
    if (auto b = o.boolean("edges")) view.edges = *b;
    if (auto b = o.boolean("axes")) view.axes = *b;
    if (auto b = o.boolean("order_independent")) view.order_independent = *b;
    if (auto c = o.vec3("background", 0, 1)) view.background = *c;
    if (auto b = o.boolean("layer_view")) view.layer_view = *b;
    o.warn_unknown();
  }
  if (const json* c = root.find("compare")) {
    Object o(*c, "compare", out.warnings);
    if (auto name = o.string("schedule"); name && !name->empty()) {
      if (!schedule_from_name(*name)) {
        refuse("compare.schedule", "\"" + *name + "\" is not a schedule; choose one of: " + schedule_names());
      }
      s.compare.schedule = *name;
    }
    for (auto [key, field] : {std::pair{"pp", &s.compare.pp}, std::pair{"microbatches", &s.compare.microbatches}}) {
      if (auto v = o.integer(key)) {
        if (*v < 0 || *v > 4096) refuse(o.at(key), std::to_string(*v) + " is outside 0..4096 (0: the scene's)");
        *field = *v;
      }
    }
    o.warn_unknown();
  }
  if (const json* l = root.find("layout")) {
    Object o(*l, "layout", out.warnings);
    SessionLayout& layout = s.layout;
    if (const json* sections = o.find("sections")) {
      Object so(*sections, "layout.sections", out.warnings);
      for (const auto& [name, value] : sections->items()) {
        if (auto b = so.boolean(name)) layout.sections[name] = *b;
      }
    }
    if (auto v = o.number("lanes_start", -kWorld, kWorld)) layout.lanes_start = *v;
    if (auto v = o.number("lanes_span", 0, kWorld)) layout.lanes_span = *v;
    if (auto b = o.boolean("replicas_unfolded")) layout.replicas_unfolded = *b;
    // Sessions before real units kept the metrics' data type here; it is params.dtype_bytes now.
    if (auto v = o.integer("dtype_bytes")) {
      if (*v < 1 || *v > 64) refuse(o.at("dtype_bytes"), std::to_string(*v) + " is outside 1..64");
      const json* p = root.find("params");
      if (p == nullptr || !p->is_object() || !p->contains("dtype_bytes")) s.params.dtype_bytes = *v;
    }
    o.warn_unknown();
  }
  if (const json* e = root.find("export")) {
    Object o(*e, "export", out.warnings);
    SessionExport& x = s.exports;
    auto pixels = [&](const char* key, int& field) {
      if (auto v = o.integer(key)) {
        if (*v < 1 || *v > 16384) refuse(o.at(key), std::to_string(*v) + " is outside 1..16384 pixels");
        field = static_cast<int>(*v);
      }
    };
    pixels("width", x.width);
    pixels("height", x.height);
    pixels("video_width", x.video_width);
    pixels("video_height", x.video_height);
    if (auto b = o.boolean("transparent")) x.transparent = *b;
    if (auto b = o.boolean("include_ui")) x.include_ui = *b;
    if (auto p = o.string("video_path")) x.video_path = *p;
    if (auto v = o.number("fps", 0.1, 240)) x.fps = *v;
    if (auto v = o.number("orbit_degrees", -36000, 36000)) x.orbit_degrees = *v;
    o.warn_unknown();
  }
  root.warn_unknown();
  return out;
}

std::string session_json(const Session& s, const fs::path& folder) {
  // Written in reading order (version first), not sorted.
  using json = nlohmann::ordered_json;
  json j = json::object();
  j["pipescope_session"] = kSessionVersion;
  if (!s.description.empty()) j["description"] = s.description;
  json params = json::object();
  for (const ParamSpec& spec : param_table()) {
    const std::string key(spec.key);
    switch (spec.type()) {
      case ParamType::Integer: {
        const auto v = spec.given(s.params);
        // A schedule file fixes chunks; an unset optional stays unset (derived).
        if (v && !(spec.key == "chunks" && s.params.schedule_file)) params[key] = *v;
        break;
      }
      case ParamType::Number: params[key] = s.params.*spec.number; break;
      case ParamType::OptionalNumber:
        if (const auto v = s.params.*spec.optional_number) params[key] = *v;  // unset: derived
        break;
      case ParamType::Choice: params[key] = spec.text(s.params); break;
      case ParamType::PerStage:
        if (!(s.params.*spec.per_stage).empty()) params[key] = s.params.*spec.per_stage;  // empty: from the model
        break;
    }
  }
  params["model"] = std::string(model_name(s.params.model));
  if (s.params.measured) {
    // The traces, named as a schedule file is; the measured costs are in
    // time_f/i/w above, and the order's zoo name (if it is one) beside them,
    // so that without "measured" the session replays the ideal.
    const fs::path file = fs::absolute(s.params.measured->source).lexically_normal();
    const fs::path relative = folder.empty() ? fs::path() : file.lexically_relative(fs::absolute(folder).lexically_normal());
    params["measured"] = !relative.empty() && inside_folder(relative) ? relative.string() : file.string();
    if (!s.params.measured->matched_schedule.empty()) params["schedule"] = s.params.measured->matched_schedule;
  } else if (s.params.schedule_file) {
    // Beside the session (or below it): relative, so the two can move
    // together and the session opens without a question; else absolute.
    const fs::path file = fs::absolute(s.params.schedule_file->path).lexically_normal();
    const fs::path relative = folder.empty() ? fs::path() : file.lexically_relative(fs::absolute(folder).lexically_normal());
    params["schedule_file"] = !relative.empty() && inside_folder(relative) ? relative.string() : file.string();
  } else {
    params["schedule"] = std::string(schedule_info(s.params.schedule).name);
  }
  j["params"] = params;
  j["frame"] = s.frame;
  if (s.camera) {
    const Camera& c = *s.camera;
    j["camera"] = {{"target", {c.target.x, c.target.y, c.target.z}},
                   {"distance", c.distance},
                   {"azimuth", c.azimuth},
                   {"elevation", c.elevation},
                   {"fov_y", c.fov_y},
                   {"projection", c.projection == Projection::Orthographic ? "orthographic" : "perspective"}};
  }
  const SessionView& v = s.view;
  j["view"] = {{"labels", v.labels},       {"declutter_labels", v.declutter_labels},
               {"edges", v.edges},         {"axes", v.axes},
               {"order_independent", v.order_independent},
               {"background", {v.background.r, v.background.g, v.background.b}},
               {"layer_view", v.layer_view}};
  j["compare"] = {{"schedule", s.compare.schedule}, {"pp", s.compare.pp}, {"microbatches", s.compare.microbatches}};
  const SessionLayout& l = s.layout;
  json sections = json::object();
  for (const auto& [name, open] : l.sections) sections[name] = open;
  j["layout"] = {{"sections", sections},
                 {"lanes_start", l.lanes_start},
                 {"lanes_span", l.lanes_span},
                 {"replicas_unfolded", l.replicas_unfolded}};
  const SessionExport& x = s.exports;
  j["export"] = {{"width", x.width},           {"height", x.height},           {"transparent", x.transparent},
                 {"include_ui", x.include_ui}, {"video_path", x.video_path},   {"video_width", x.video_width},
                 {"video_height", x.video_height}, {"fps", x.fps},             {"orbit_degrees", x.orbit_degrees}};
  return j.dump(2) + "\n";
}

LoadedSession load_session(const std::string& path, bool trusted) {
  const fs::path p(path);
  const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const bool png = p.extension() == ".png" || p.extension() == ".PNG";
  // Sessions are a few KiB: 16 MiB is far more than any needs, in a file or a PNG's text.
  constexpr std::size_t kMaxSessionBytes = 16u << 20;
  std::string text;
  try {  // these messages start with the path
    if (png) {
      for (const auto& [key, value] : read_png_text(path, kMaxSessionBytes)) {
        if (key == kPngSessionKey) text = value;
      }
      if (text.empty()) {
        throw SessionError(path + ": holds no pipescope session: only PNGs that pipescope wrote (screenshots, render) do");
      }
    } else {
      text = read_input_file(path, kMaxSessionBytes, "a session file");
    }
  } catch (const std::runtime_error& e) {
    throw SessionError(e.what());
  }
  try {
    return parse_session(text, folder, trusted);
  } catch (const UntrustedPath& e) {
    throw UntrustedPath(path + ": " + e.what(), path, e.outside);
  } catch (const SessionError& e) {
    throw SessionError(path + ": " + e.what());
  }
}

void save_session(const std::string& path, const Session& session) {
  try {
    const fs::path folder = fs::path(path).parent_path();
    write_whole_file(path, session_json(session, folder.empty() ? fs::path(".") : folder));
  } catch (const std::runtime_error& e) {
    throw SessionError(e.what());
  }
}

PngText png_text_with_session(PngText text, const Session& session, const fs::path& folder) {
  text.emplace_back(kPngSessionKey, session_json(session, folder.empty() ? fs::path(".") : folder));
  return text;
}

RenderStyle apply_view(RenderStyle style, const SessionView& v) {
  style.labels = v.labels;
  style.declutter_labels = v.declutter_labels;
  style.edges = v.edges;
  style.axes = v.axes;
  style.order_independent = v.order_independent;
  style.background = glm::vec4(v.background, style.background.a);
  return style;
}

SessionView view_of(const RenderStyle& s) {
  return {s.labels, s.declutter_labels, s.edges, s.axes, s.order_independent, glm::vec3(s.background)};
}

}  // namespace pipescope::app
