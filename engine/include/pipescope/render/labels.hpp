#pragma once
// What the labels say and how their glyphs sit: the notebook's mathtext
// ("$W_1^0$", "$\nabla$" once a gradient) as a base with a subscript and a
// superscript, laid out in pixels around the label's centre. CPU only.

#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "pipescope/render/font.hpp"
#include "pipescope/model/layout.hpp"

namespace pipescope {

struct LabelText {
  std::u32string base;  // e.g. U"∇W"
  std::u32string sub;   // e.g. U"1"
  std::u32string sup;   // e.g. U"10" (all of it: not the notebook's one-digit slip)
  bool operator==(const LabelText&) const = default;
};

// The label of a face object; `gradient` adds the leading nabla.
LabelText face_label(const Layout& layout, ObjectIndex face, bool gradient);

// One glyph quad relative to the label's centre (pixels, y up).
struct PlacedGlyph {
  glm::vec4 rect;  // x0, y0, x1, y1
  glm::vec4 uv;    // u0, v0, u1, v1
};
// Glyphs of `text`, centred on (0, 0) both ways, as matplotlib's
// ha='center', va='center'.
std::vector<PlacedGlyph> place_label(const LabelText& text, const FontAtlas& font);

// The notebook's three axis arrows (drawn for the replica at y = 0).
struct AxisArrow {
  glm::vec3 from, to;
  glm::vec3 label_at;
  LabelText label;
};
std::vector<AxisArrow> notebook_axes(const Params& params);

}  // namespace pipescope
