#include "pipescope/analysis/state_dump.hpp"

#include "pipescope/animate/scene.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipescope/model/mesh.hpp"
#include "pipescope/model/pieces.hpp"

namespace pipescope {

std::uint64_t state_dump_frames_bytes(const Layout& layout, const Timeline& timeline) {
  // A visible object's entry: "id": "state", and ", " before all but the first.
  std::vector<std::uint32_t> id_bytes(layout.size());
  for (ObjectIndex i = 0; i < layout.size(); ++i) id_bytes[i] = static_cast<std::uint32_t>(layout.id(i).size()) + 2;
  auto entry = [&](ObjectIndex i, VisualState s) {
    return std::uint64_t{id_bytes[i]} + 4 + std::string_view(dump_name(s)).size();
  };
  Playhead playhead(timeline);
  std::uint64_t shown = 0, count = 0, total = 0;
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    if (playhead.state(i) == VisualState::Hidden) continue;
    shown += entry(i, playhead.state(i));
    ++count;
  }
  for (std::uint32_t frame = 0;; ++frame) {
    total += fmt::formatted_size("{{\"frame\": {}, \"state\": {{", frame) + shown + 2 * (count > 0 ? count - 1 : 0) + 3;
    if (frame == timeline.last_frame()) break;
    for (const Change& c : timeline.changes_into(frame + 1)) {
      if (c.before != VisualState::Hidden) shown -= entry(c.object, c.before), --count;
      if (c.after != VisualState::Hidden) shown += entry(c.object, c.after), ++count;
    }
  }
  return total;
}

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  // Shortest round-trip digits in scientific form, e.g. "3.4285714285714284e+00".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);
  const bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  const auto e_pos = sci.find('e');
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string digits = sci.substr(0, e_pos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());

  // Built with append(): GCC 12 warns (-Wrestrict, a false positive) on
  // chains of std::string operator+ at -O3.
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {  // Python: fixed for 1e-4 <= |v| < 1e16
    if (exponent < 0) {
      out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
    } else {
      const auto int_digits = static_cast<std::size_t>(exponent + 1);
      if (digits.size() <= int_digits) {
        out.append(digits).append(int_digits - digits.size(), '0').append(".0");
      } else {
        out.append(digits, 0, int_digits).append(".").append(digits, int_digits);
      }
    }
  } else {
    out.append(digits, 0, 1);
    if (digits.size() > 1) out.append(".").append(digits, 1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  return out;
}

namespace {

void write_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

const char* kind_name(ObjectKind k) {
  switch (k) {
    case ObjectKind::Weight1: return "weight1";
    case ObjectKind::Weight2: return "weight2";
    case ObjectKind::Hidden: return "hidden";
    case ObjectKind::Residual: return "residual";
    case ObjectKind::StageInput: return "stage_input";
    case ObjectKind::Flop1: return "flop1";
    case ObjectKind::Flop2: return "flop2";
    case ObjectKind::PipeSend: return "pipe_send";
    case ObjectKind::AllReduce1: return "all_reduce1";
    case ObjectKind::AllReduce2: return "all_reduce2";
    case ObjectKind::TensorReduce: return "tp_all_reduce";
    case ObjectKind::TensorReduceIn: return "tp_all_reduce_in";
    case ObjectKind::ContextRing: return "cp_ring";
    case ObjectKind::ExpertAllToAll: return "ep_all_to_all";
  }
  return "";
}

}  // namespace

ObjectOwner object_owner(const Layout& layout, ObjectIndex i) {
  const Params& p = layout.params();
  const SceneObject& o = layout[i];
  const bool per_stage = is_per_stage(o.kind);
  const bool per_layer = is_per_layer(o.kind);
  const std::int64_t stage = per_stage ? o.layer : o.layer / std::max<std::int64_t>(1, p.layers_per_stage());
  ObjectOwner owner{kind_name(o.kind), o.replica, stage, per_layer ? -1 : static_cast<std::int64_t>(o.microbatch), {}};
  const Mesh mesh = mesh_of(p);
  const std::int64_t rank = p.rank_of_stage(stage);
  // The stage's GPUs in a replica: its tp x cp group; an exchange joins the next replica's.
  const std::int64_t replicas = o.kind == ObjectKind::AllReduce1 || o.kind == ObjectKind::AllReduce2 ? 2 : 1;
  for (std::int64_t r = o.replica; r < o.replica + replicas && r < p.dp; ++r) {
    for (std::int64_t c = 0; c < p.cp; ++c) {
      for (std::int64_t t = 0; t < p.tp; ++t) owner.gpus.push_back(mesh.gpu({r, rank, t, c}).global);
    }
  }
  return owner;
}

bool write_state_dump(std::ostream& out, const Layout& layout, const Timeline& timeline,
                      const std::atomic<bool>* stop, const StateDumpOptions& options) {
  // json.dumps(sort_keys=True) orders keys by code point; ids are ASCII.
  std::vector<std::string> ids(layout.size());
  for (ObjectIndex i = 0; i < layout.size(); ++i) ids[i] = layout.id(i);
  std::vector<ObjectIndex> order(layout.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](ObjectIndex a, ObjectIndex b) { return ids[a] < ids[b]; });

  std::string line = "{\"labels\": {";
  bool first = true;
  for (ObjectIndex i : order) {
    if (!is_face(layout[i].kind)) continue;
    if (!first) line += ", ";
    first = false;
    write_json_string(line, ids[i]);
    line += ": ";
    write_json_string(line, layout.notebook_label(i));
  }
  line += "}, \"meta\": " + params_json(layout.params()) + ", \"objects\": {";
  first = true;
  for (ObjectIndex i : order) {
    if (!first) line += ", ";
    first = false;
    write_json_string(line, ids[i]);
    const Box& b = layout[i].box;
    line += fmt::format(": [{}, {}, {}, {}, {}, {}]", python_float_repr(b.lo[0]),
                        python_float_repr(b.lo[1]), python_float_repr(b.lo[2]),
                        python_float_repr(b.hi[0]), python_float_repr(b.hi[1]),
                        python_float_repr(b.hi[2]));
  }
  line += "}";
  if (options.owners) {
    line += ", \"owners\": {";
    first = true;
    for (ObjectIndex i : order) {
      if (!first) line += ", ";
      first = false;
      write_json_string(line, ids[i]);
      const ObjectOwner o = object_owner(layout, i);
      const Pieces pieces = object_pieces(layout, i);
      // Keys sorted, as json.dumps(sort_keys=True) writes them. "pieces":
      // how the object is cut (x: tp, y: the tokens) and each piece's GPU.
      line += fmt::format(": {{\"gpu\": {}, \"gpus\": [{}], \"kind\": \"{}\", \"microbatch\": {}, "
                          "\"pieces\": {{\"along_x\": {}, \"along_y\": {}, \"gpus\": [{}], \"owned\": {}}}, "
                          "\"replica\": {}, \"stage\": {}}}",
                          o.gpus.empty() ? -1 : o.gpus.front(), fmt::join(o.gpus, ", "), o.kind,
                          o.microbatch < 0 ? "null" : std::to_string(o.microbatch), pieces.along_x, pieces.along_y,
                          fmt::join(pieces.gpus(), ", "), pieces.owned ? "true" : "false", o.replica, o.stage);
    }
    line += "}";
  }
  line += "}\n";
  out << line;

  // The visible objects, by their place in id order, kept up to date from
  // each frame's changes: a frame costs what it shows, not every object.
  std::vector<std::uint32_t> place(layout.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) place[order[k]] = k;
  Playhead playhead(timeline);
  std::set<std::uint32_t> visible;
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    if (playhead.state(i) != VisualState::Hidden) visible.insert(place[i]);
  }
  for (std::uint32_t frame = 0;; ++frame) {
    line = fmt::format("{{\"frame\": {}, \"state\": {{", frame);
    first = true;
    for (std::uint32_t k : visible) {
      const ObjectIndex i = order[k];
      if (!first) line += ", ";
      first = false;
      write_json_string(line, ids[i]);
      line += ": \"";
      line += dump_name(playhead.state(i));
      line += '"';
    }
    line += "}}\n";
    out << line;
    if (!out || (stop != nullptr && stop->load())) return false;
    if (!playhead.step_forward()) break;
    for (const Change& c : timeline.changes_into(playhead.frame())) {
      if (c.after == VisualState::Hidden) {
        visible.erase(place[c.object]);
      } else {
        visible.insert(place[c.object]);
      }
    }
  }
  out << fmt::format("{{\"frames\": {}}}\n", timeline.last_frame());
  return static_cast<bool>(out);
}

}  // namespace pipescope
