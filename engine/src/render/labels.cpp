#include "pipescope/render/labels.hpp"

#include <algorithm>
#include <limits>

#include "pipescope/model/layer_view.hpp"

namespace pipescope {

namespace {

std::u32string to_u32(const std::string& ascii) { return {ascii.begin(), ascii.end()}; }

std::u32string number(std::int64_t n) {
  std::u32string s = to_u32(std::to_string(n < 0 ? -n : n));
  return n < 0 ? U"\u2212" + s : s;
}

}  // namespace

LabelText face_label(const Layout& layout, ObjectIndex face, bool gradient) {
  const SceneObject& o = layout[face];
  LabelText t;
  if (const LayerView* view = layout.layer_view()) {
    const LayerViewFace& f = view->faces[face];
    if (f.base.empty()) return {};
    t = {to_u32(f.base), to_u32(f.sub), to_u32(f.sup)};
    if (gradient) t.base = U"\u2207" + t.base;
    return t;
  }
  switch (o.kind) {
    case ObjectKind::Weight1: t = {U"W", U"1", number(o.layer)}; break;
    case ObjectKind::Weight2: t = {U"W", U"2", number(o.layer)}; break;
    case ObjectKind::Hidden: t = {U"h", U"", number(o.layer)}; break;
    case ObjectKind::Residual: t = {U"x", U"", number(o.layer)}; break;
    case ObjectKind::StageInput:
      t = {U"x", U"", number(static_cast<std::int64_t>(o.layer) * layout.params().layers_per_stage() - 1)};
      break;
    default: return {};
  }
  if (gradient) t.base = U"\u2207" + t.base;
  return t;
}

std::vector<PlacedGlyph> place_label(const LabelText& text, const FontAtlas& font) {
  std::vector<PlacedGlyph> out;
  float pen = 0.0f;
  auto put = [&](const std::u32string& s, Script script, float baseline, float& x) {
    for (char32_t c : s) {
      const Glyph* g = font.glyph(c, script);
      if (g == nullptr) continue;
      out.push_back({{x + g->x0, baseline + g->y0, x + g->x1, baseline + g->y1}, {g->u0, g->v0, g->u1, g->v1}});
      x += g->advance;
    }
  };
  put(text.base, Script::Normal, 0.0f, pen);
  const float size = font.pixel_size();
  float sub_end = pen, sup_end = pen;
  put(text.sub, Script::Small, -0.22f * size, sub_end);
  put(text.sup, Script::Small, 0.42f * size, sup_end);
  if (out.empty()) return out;

  float x0 = std::numeric_limits<float>::max(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const auto& g : out) {
    x0 = std::min(x0, g.rect.x), y0 = std::min(y0, g.rect.y);
    x1 = std::max(x1, g.rect.z), y1 = std::max(y1, g.rect.w);
  }
  // Centre on whole pixels so glyphs land on the pixel grid.
  const glm::vec2 centre(std::round((x0 + x1) * 0.5f), std::round((y0 + y1) * 0.5f));
  for (auto& g : out) g.rect -= glm::vec4(centre, centre);
  return out;
}

std::vector<AxisArrow> notebook_axes(const Params& p) {
  // draw_arrow(ax, dimvals, val1s, val2s, label, dim, otherdim1, otherdim2):
  // the arrow runs from `tail` along `dim` by dimvals[1]; its label sits at
  // the middle, nudged by val1s[1] along otherdim1 and val2s[1] along otherdim2.
  struct Spec {
    float dim_from, dim_len, v1_at, v1_nudge, v2_at, v2_nudge;
    int dim, other1, other2;
    LabelText label;
  };
  const DrawnSizes drawn = drawn_sizes(p);
  const float d_hidden = static_cast<float>(drawn.d_hidden), d_model = static_cast<float>(drawn.d_model);
  const float B = static_cast<float>(drawn.rows);
  const Spec specs[] = {
      {0, d_hidden, 0, -2, 0, -2, 0, 2, 1, {U"d", U"hidden", U""}},
      {0, B, 0, -3, d_model, 3, 1, 0, 2, {U"Batch", U"", U""}},
      {0, d_model, 0, -4, 0, -2, 2, 0, 1, {U"d", U"model", U""}},
  };
  std::vector<AxisArrow> out;
  for (const Spec& s : specs) {
    glm::vec3 tail(0.0f), vec(0.0f);
    tail[s.dim] = s.dim_from;
    tail[s.other1] = s.v1_at;
    tail[s.other2] = s.v2_at;
    vec[s.dim] = s.dim_len;
    glm::vec3 text = tail + vec * 0.5f;
    text[s.other1] += s.v1_nudge;
    text[s.other2] += s.v2_nudge;
    out.push_back({tail, tail + vec, text, s.label});
  }
  return out;
}

}  // namespace pipescope
