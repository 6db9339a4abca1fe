#include "pipescope/analysis/state_dump.hpp"

#include "pipescope/animate/scene.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>

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

}  // namespace

bool write_state_dump(std::ostream& out, const Layout& layout, const Timeline& timeline,
                      const std::atomic<bool>* stop) {
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
  line += "}}\n";
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
