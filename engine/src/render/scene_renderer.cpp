#include "pipescope/render/scene_renderer.hpp"

#include <algorithm>
#include <unordered_map>

#include <glm/gtc/type_ptr.hpp>

#include "pipescope/gl/gl_check.hpp"
#include "pipescope/gl/gl_object.hpp"
#include "pipescope/gl/program.hpp"
#include "pipescope/model/mesh.hpp"
#include "pipescope/model/layer_view.hpp"
#include "pipescope/model/pieces.hpp"
#include "pipescope/render/label_placement.hpp"
#include "pipescope/render/labels.hpp"
#include "pipescope/render/merged_runs.hpp"
#include "pipescope/render/oit_pass.hpp"

namespace pipescope {

namespace {

constexpr std::uint32_t kFlatSide = 6;

// A box with one zero extent is a face object: drawn as one quad.
int flat_axis(const Box& b) {
  for (int a = 0; a < 3; ++a) {
    if (b.lo[a] == b.hi[a]) return a;
  }
  return -1;
}

struct GlyphInstance {
  glm::vec3 anchor;
  glm::vec4 rect;
  glm::vec4 uv;
};

// A float vertex attribute read once per instance from the bound array buffer.
void per_instance_floats(GLuint index, GLint size, std::size_t stride, std::size_t offset) {
  glEnableVertexAttribArray(index);
  glVertexAttribDivisor(index, 1);
  glVertexAttribPointer(index, size, GL_FLOAT, GL_FALSE, static_cast<GLsizei>(stride),
                        reinterpret_cast<void*>(offset));
}

// The colour group, plus 4 x (1 + its rank's tint) for the weights outside
// the notebook's schedule, as the box shader decodes it.
int colour_code(const Params& params, const SceneObject& o) {
  int code = static_cast<int>(colour_group(o.kind));
  if (!params.is_notebook() && (o.kind == ObjectKind::Weight1 || o.kind == ObjectKind::Weight2)) {
    const auto rank = params.rank_of_stage(o.layer / params.layers_per_stage());
    code += 4 * (1 + static_cast<int>(rank % kRankTints));
  }
  return code;
}

// Three RGBA32F texels per drawn box: (lo, colour code), (hi, flat axis),
// (pieces along x, along y, first piece's GPU or -1 when the pieces are
// replicated and so untinted, GPUs between pieces along y).
constexpr int kTexelsPerBox = 3;
void box_texels(const Box& box, int code, ObjectKind kind, const Pieces& pieces, glm::vec4* out) {
  out[0] = {box.lo[0], box.lo[1], box.lo[2], static_cast<float>(code)};
  out[1] = {box.hi[0], box.hi[1], box.hi[2], static_cast<float>(is_face(kind) ? std::max(flat_axis(box), 0) : 0)};
  out[2] = {static_cast<float>(pieces.along_x), static_cast<float>(pieces.along_y),
            pieces.tinted() ? static_cast<float>(pieces.first_gpu) : -1.0f, static_cast<float>(pieces.y_stride)};
}

// How the run cuts object i, or one piece when nothing is cut (the notebook).
Pieces pieces_of(const Layout& layout, ObjectIndex i) {
  const Params& p = layout.params();
  return p.tp > 1 || p.cp > 1 || layout.layer_view() != nullptr ? object_pieces(layout, i) : Pieces{};
}

// Fewer objects than this are always drawn one by one: merging would save
// nothing worth a picture that differs from the notebook's.
constexpr std::size_t kMergeAboveObjects = 10'000;

struct LineInstance {
  glm::vec3 from, to;
  glm::vec4 colour;
};

}  // namespace

struct SceneRenderer::Gpu {
  gl::ShaderProgram boxes{"boxes.vert", "boxes.frag"};
  gl::ShaderProgram lines{"lines.vert", "lines.frag"};
  gl::ShaderProgram glyphs{"glyphs.vert", "glyphs.frag"};

  gl::Buffer box_buffer, state_buffer, draw_list, glyph_buffer, line_buffer;
  gl::Texture box_texture, state_texture, atlas;
  // The merged runs' boxes and states, drawn instead when microbatches merge.
  gl::Buffer run_box_buffer, run_state_buffer;
  gl::Texture run_box_texture, run_state_texture;
  gl::VertexArray box_vao, glyph_vao, line_vao;
  std::unique_ptr<OitPass> oit;  // made on first use
  std::size_t draw_count = 0, glyph_count = 0, line_count = 0;

  Gpu() {
    glBindVertexArray(box_vao.name());
    glBindBuffer(GL_ARRAY_BUFFER, draw_list.name());
    glEnableVertexAttribArray(0);
    glVertexAttribIPointer(0, 1, GL_UNSIGNED_INT, sizeof(std::uint32_t), nullptr);
    glVertexAttribDivisor(0, 1);

    glBindVertexArray(glyph_vao.name());
    glBindBuffer(GL_ARRAY_BUFFER, glyph_buffer.name());
    per_instance_floats(0, 3, sizeof(GlyphInstance), offsetof(GlyphInstance, anchor));
    per_instance_floats(1, 4, sizeof(GlyphInstance), offsetof(GlyphInstance, rect));
    per_instance_floats(2, 4, sizeof(GlyphInstance), offsetof(GlyphInstance, uv));

    glBindVertexArray(line_vao.name());
    glBindBuffer(GL_ARRAY_BUFFER, line_buffer.name());
    per_instance_floats(0, 3, sizeof(LineInstance), offsetof(LineInstance, from));
    per_instance_floats(1, 3, sizeof(LineInstance), offsetof(LineInstance, to));
    per_instance_floats(2, 4, sizeof(LineInstance), offsetof(LineInstance, colour));
    glBindVertexArray(0);
    GL_CHECK(glBindBuffer(GL_ARRAY_BUFFER, 0));
  }
};

SceneRenderer::SceneRenderer(const FontAtlas* font) : font_(font), gpu_(std::make_unique<Gpu>()) {
  if (font_ != nullptr) {
    glBindTexture(GL_TEXTURE_2D, gpu_->atlas.name());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, font_->width(), font_->height(), 0, GL_RED, GL_UNSIGNED_BYTE,
                 font_->pixels().data());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    GL_CHECK(glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE));
  }
}

SceneRenderer::~SceneRenderer() = default;

void SceneRenderer::set_scene(const Layout& layout, Playhead& playhead) {
  layout_ = &layout;
  highlight_.clear();  // indices of another layout
  const std::size_t n = layout.size();
  stats_ = {};
  stats_.objects = n;

  std::vector<glm::vec4> texels(kTexelsPerBox * n);
  const Params& params = layout.params();
  for (std::size_t i = 0; i < n; ++i) {
    const SceneObject& o = layout[static_cast<ObjectIndex>(i)];
    box_texels(o.box, colour_code(params, o), o.kind, pieces_of(layout, static_cast<ObjectIndex>(i)),
               &texels[kTexelsPerBox * i]);
  }
  glBindBuffer(GL_TEXTURE_BUFFER, gpu_->box_buffer.name());
  glBufferData(GL_TEXTURE_BUFFER, static_cast<GLsizeiptr>(texels.size() * sizeof(glm::vec4)), texels.data(),
               GL_STATIC_DRAW);
  glBindTexture(GL_TEXTURE_BUFFER, gpu_->box_texture.name());
  glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA32F, gpu_->box_buffer.name());

  playhead.take_changes();
  states_ = playhead.state();
  glBindBuffer(GL_TEXTURE_BUFFER, gpu_->state_buffer.name());
  glBufferData(GL_TEXTURE_BUFFER, static_cast<GLsizeiptr>(n), states_.data(), GL_DYNAMIC_DRAW);
  glBindTexture(GL_TEXTURE_BUFFER, gpu_->state_texture.name());
  glTexBuffer(GL_TEXTURE_BUFFER, GL_R8UI, gpu_->state_buffer.name());
  GL_CHECK(glBindBuffer(GL_TEXTURE_BUFFER, 0));
  stats_.state_uploads = n;
  visible_dirty_ = draw_list_dirty_ = labels_dirty_ = runs_dirty_ = true;
}

void SceneRenderer::update(Playhead& playhead) {
  Playhead::Dirty dirty = playhead.take_changes();
  if (merged_) {
    // The merged runs are drawn, rebuilt from the mirror: the objects'
    // states go to the GPU only if they are drawn one by one again.
    bool changed = dirty.everything;
    if (dirty.everything) {
      states_ = playhead.state();
    } else {
      for (ObjectIndex i : dirty.objects) {
        changed |= states_[i] != playhead.state(i);
        states_[i] = playhead.state(i);
      }
    }
    if (changed) runs_dirty_ = object_states_stale_ = visible_dirty_ = true;
    stats_.state_uploads = 0;
    return;
  }
  glBindBuffer(GL_TEXTURE_BUFFER, gpu_->state_buffer.name());
  if (object_states_stale_ || dirty.everything || dirty.objects.size() > states_.size() / 16) {
    object_states_stale_ = false;
    // Many scattered changes: one upload beats thousands of tiny ones.
    states_ = playhead.state();
    glBufferSubData(GL_TEXTURE_BUFFER, 0, static_cast<GLsizeiptr>(states_.size()), states_.data());
    stats_.state_uploads = states_.size();
    visible_dirty_ = true;
  } else {
    std::size_t uploads = 0;
    for (ObjectIndex i : dirty.objects) {
      const VisualState s = playhead.state(i);
      if (states_[i] == s) continue;  // changed and changed back
      // Visibility changes reshape the draw list; colour changes do not.
      if ((states_[i] == VisualState::Hidden) != (s == VisualState::Hidden)) visible_dirty_ = true;
      if (labelled(i)) labels_dirty_ = true;  // the nabla comes and goes, collectives' names too
      states_[i] = s;
      glBufferSubData(GL_TEXTURE_BUFFER, static_cast<GLintptr>(i), 1, &states_[i]);
      ++uploads;
    }
    stats_.state_uploads = uploads;
    if (uploads > 0) runs_dirty_ = true;
  }
  GL_CHECK(glBindBuffer(GL_TEXTURE_BUFFER, 0));
  if (dirty.everything) runs_dirty_ = true;
  if (visible_dirty_) draw_list_dirty_ = labels_dirty_ = true;
}

void SceneRenderer::rebuild_runs() {
  runs_ = merge_microbatch_runs(*layout_, states_);
  stats_.visible_objects = 0;
  for (const MergedRun& run : runs_) stats_.visible_objects += run.count;
  std::vector<glm::vec4> texels(kTexelsPerBox * runs_.size());
  std::vector<VisualState> states(runs_.size());
  const Params& params = layout_->params();
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    const SceneObject& o = (*layout_)[runs_[k].first];
    Pieces pieces = pieces_of(*layout_, runs_[k].first);
    // Several microbatches' tokens: their cuts along y would not be one
    // microbatch's, so only the x cut (tp) is drawn.
    if (runs_[k].count > 1) pieces.along_y = 1;
    box_texels(runs_[k].box, colour_code(params, o), o.kind, pieces, &texels[kTexelsPerBox * k]);
    states[k] = runs_[k].state;
  }
  glBindBuffer(GL_TEXTURE_BUFFER, gpu_->run_box_buffer.name());
  glBufferData(GL_TEXTURE_BUFFER, static_cast<GLsizeiptr>(texels.size() * sizeof(glm::vec4)), texels.data(),
               GL_DYNAMIC_DRAW);
  glBindTexture(GL_TEXTURE_BUFFER, gpu_->run_box_texture.name());
  glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA32F, gpu_->run_box_buffer.name());
  glBindBuffer(GL_TEXTURE_BUFFER, gpu_->run_state_buffer.name());
  glBufferData(GL_TEXTURE_BUFFER, static_cast<GLsizeiptr>(states.size()), states.data(), GL_DYNAMIC_DRAW);
  glBindTexture(GL_TEXTURE_BUFFER, gpu_->run_state_texture.name());
  glTexBuffer(GL_TEXTURE_BUFFER, GL_R8UI, gpu_->run_state_buffer.name());
  GL_CHECK(glBindBuffer(GL_TEXTURE_BUFFER, 0));
  // The draw list and labels name runs now: rebuild them from these.
  runs_dirty_ = false;
  draw_list_dirty_ = labels_dirty_ = true;
}

// Faces carry labels; in the layer view its collectives do too ("all-reduce").
bool SceneRenderer::labelled(ObjectIndex i) const {
  if (is_face((*layout_)[i].kind)) return true;
  const LayerView* view = layout_->layer_view();
  return view != nullptr && !view->faces[i].base.empty();
}

const Box& SceneRenderer::drawn_box(std::uint32_t item) const {
  return merged_ ? runs_[item].box : (*layout_)[item].box;
}
ObjectIndex SceneRenderer::drawn_object(std::uint32_t item) const { return merged_ ? runs_[item].first : item; }
VisualState SceneRenderer::drawn_state(std::uint32_t item) const {
  return merged_ ? runs_[item].state : states_[item];
}

void SceneRenderer::rebuild_visible() {
  visible_.clear();
  for (ObjectIndex i = 0; i < states_.size(); ++i) {
    if (states_[i] != VisualState::Hidden) visible_.push_back(i);
  }
  visible_dirty_ = false;
}

void SceneRenderer::sort_and_upload_draw_list(const Camera& camera) {
  const glm::vec3 eye = camera.eye(), forward = camera.forward();
  const bool ortho = camera.projection == Projection::Orthographic;
  // Back to front: farthest first. Perspective sorts by distance from the
  // eye, orthographic by depth along the view direction.
  std::vector<std::pair<float, std::uint32_t>> keyed;
  const std::size_t drawn = merged_ ? runs_.size() : visible_.size();
  keyed.reserve(drawn);
  for (std::size_t k = 0; k < drawn; ++k) {
    const std::uint32_t i = merged_ ? static_cast<std::uint32_t>(k) : visible_[k];
    const Box& b = drawn_box(i);
    const glm::vec3 c(0.5 * (b.lo[0] + b.hi[0]), 0.5 * (b.lo[1] + b.hi[1]), 0.5 * (b.lo[2] + b.hi[2]));
    const glm::vec3 d = c - eye;
    keyed.emplace_back(ortho ? glm::dot(d, forward) : glm::dot(d, d), i);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<std::uint32_t> items;
  items.reserve(keyed.size() * 2);
  sorted_.clear();
  for (const auto& [depth, i] : keyed) {
    sorted_.push_back(i);
    if (is_face((*layout_)[drawn_object(i)].kind)) {
      items.push_back((i << 3) | kFlatSide);
    } else {
      for (std::uint32_t side = 0; side < 6; ++side) items.push_back((i << 3) | side);  // far, then near
    }
  }
  glBindBuffer(GL_ARRAY_BUFFER, gpu_->draw_list.name());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(items.size() * sizeof(std::uint32_t)), items.data(),
               GL_DYNAMIC_DRAW);
  GL_CHECK(glBindBuffer(GL_ARRAY_BUFFER, 0));
  gpu_->draw_count = items.size();
  if (!merged_) stats_.visible_objects = visible_.size();
  stats_.drawn_boxes = drawn;
  stats_.quads = items.size();
  sorted_for_eye_ = eye;
  sorted_for_forward_ = forward;
  sorted_orthographic_ = ortho;
  draw_list_dirty_ = false;
}

void SceneRenderer::set_highlight(std::vector<ObjectIndex> objects) {
  highlight_ = std::move(objects);
  labels_dirty_ = true;  // lines are uploaded with the labels
}

void SceneRenderer::upload_labels(const RenderStyle& style, const glm::mat4& view_proj, int width,
                                  int height) {
  std::vector<GlyphInstance> glyphs;
  std::vector<LineInstance> lines;
  // A selection: the twelve edges of each box, in a blue no state uses.
  for (ObjectIndex i : highlight_) {
    if (layout_ == nullptr || i >= layout_->size()) continue;
    const Box& b = (*layout_)[i].box;
    const glm::vec3 lo(b.lo[0], b.lo[1], b.lo[2]), hi(b.hi[0], b.hi[1], b.hi[2]);
    const glm::vec4 blue(0.1f, 0.2f, 0.9f, 1.0f);
    for (int axis = 0; axis < 3; ++axis) {
      const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
      for (int corner = 0; corner < 4; ++corner) {
        glm::vec3 from = lo;
        from[a1] = (corner & 1) ? hi[a1] : lo[a1];
        from[a2] = (corner & 2) ? hi[a2] : lo[a2];
        glm::vec3 to = from;
        to[axis] = hi[axis];
        if (to != from) lines.push_back({from, to, blue});
      }
    }
  }
  // The layer view has no layer, batch and d_model axes of the pipeline's.
  const bool pipeline = layout_->layer_view() == nullptr;
  const auto axes = pipeline ? notebook_axes(layout_->params()) : std::vector<AxisArrow>{};
  if (style.axes) {
    for (const AxisArrow& a : axes) lines.push_back({a.from, a.to, glm::vec4(0.0f, 0.0f, 0.0f, 1.0f)});
  }
  if (font_ != nullptr && (style.labels || style.axes)) {
    // Few distinct labels (kind x layer x gradient): lay each out once.
    struct Laid {
      std::vector<PlacedGlyph> glyphs;
      glm::vec4 extent;  // bounding box of the glyphs, pixels around the centre
    };
    auto lay_out = [&](const LabelText& text) {
      Laid l{place_label(text, *font_), glm::vec4(0.0f)};
      for (const PlacedGlyph& g : l.glyphs) {
        l.extent = glm::vec4(glm::min(glm::vec2(l.extent), glm::vec2(g.rect)),
                             glm::max(glm::vec2(l.extent.z, l.extent.w), glm::vec2(g.rect.z, g.rect.w)));
      }
      l.extent += glm::vec4(-1.0f, -1.0f, 1.0f, 1.0f);  // a pixel of air between labels
      return l;
    };
    // A face's label depends only on its kind, layer (or stage) and whether
    // it holds a gradient: a number is key enough, with no text built per face.
    std::unordered_map<std::uint64_t, Laid> cache;
    auto face_laid_out = [&](std::uint32_t item) -> const Laid& {
      const ObjectIndex i = drawn_object(item);
      const SceneObject& o = (*layout_)[i];
      const bool gradient = drawn_state(item) == VisualState::Red;
      // (The layer view names each face apart: its object is the key.)
      const std::uint64_t what = layout_->layer_view() != nullptr ? (std::uint64_t{1} << 60) | i
                                                                  : (static_cast<std::uint64_t>(o.kind) << 40) | o.layer;
      const std::uint64_t key = (what << 1) | (gradient ? 1u : 0u);
      auto it = cache.find(key);
      if (it == cache.end()) it = cache.emplace(key, lay_out(face_label(*layout_, i, gradient))).first;
      return it->second;
    };
    std::unordered_map<int, Laid> tags;
    auto rank_tag = [&](int rank, int replica) -> const Laid& {
      const int key = rank + replica * static_cast<int>(layout_->params().pp);
      auto it = tags.find(key);
      if (it == tags.end()) {
        const std::string text = rank_label(layout_->params(), rank, replica);
        it = tags.emplace(key, lay_out(LabelText{std::u32string(text.begin(), text.end()), U"", U""})).first;
      }
      return it->second;
    };
    auto emit = [&](const Laid& l, glm::vec3 at) {
      for (const PlacedGlyph& g : l.glyphs) glyphs.push_back({at, g.rect, g.uv});
    };
    const glm::vec2 viewport(static_cast<float>(width), static_cast<float>(height));
    // Where the glyph shader will put the anchor, in pixels (y up); false if behind the eye.
    auto anchor_px = [&](glm::vec3 at, glm::vec2& px) {
      const glm::vec4 clip = view_proj * glm::vec4(at, 1.0f);
      if (clip.w <= 0.0f) return false;
      px = glm::floor((glm::vec2(clip) / clip.w * 0.5f + 0.5f) * viewport + 0.5f);
      return true;
    };
    LabelPlacer placer(width, height);
    if (style.axes) {
      for (const AxisArrow& a : axes) {
        const Laid l = lay_out(a.label);
        glm::vec2 px;
        if (anchor_px(a.label_at, px)) placer.reserve(px, l.extent);
        emit(l, a.label_at);
      }
    }
    if (style.labels && pipeline && !layout_->params().is_notebook()) {
      // "GPU k" over each stage, so which rank holds a stage reads at a glance.
      const Params& p = layout_->params();
      const int per_stage = static_cast<int>(p.layers_per_stage());
      for (int r = 0; r < p.dp; ++r) {
        for (int s = 0; s < p.stages(); ++s) {
          const Box& first = (*layout_)[layout_->weight1(r, s * per_stage)].box;
          const Box& last = (*layout_)[layout_->weight2(r, (s + 1) * per_stage - 1)].box;
          const glm::vec3 at(0.5 * (first.lo[0] + last.hi[0]), first.hi[1],
                             static_cast<float>(std::max(first.hi[2], last.hi[2]) +
                                                0.45 * static_cast<double>(drawn_sizes(p).d_model)) + 1.0f);
          const Laid& l = rank_tag(static_cast<int>(p.rank_of_stage(s)), r);
          glm::vec2 px;
          if (anchor_px(at, px) && placer.place(px, l.extent)) emit(l, at);
        }
      }
    }
    if (style.labels) {
      auto centre_of = [&](std::uint32_t item) {
        const Box& b = drawn_box(item);
        return glm::vec3(0.5 * (b.lo[0] + b.hi[0]), 0.5 * (b.lo[1] + b.hi[1]), 0.5 * (b.lo[2] + b.hi[2]));
      };
      auto try_label = [&](std::uint32_t i) {
        const Laid& l = face_laid_out(i);
        const glm::vec3 at = centre_of(i);
        glm::vec2 px;
        if (!style.declutter_labels || (anchor_px(at, px) && placer.place(px, l.extent))) emit(l, at);
      };
      // A collective running first (the layer view names its collectives:
      // what is happening now), then weights (the big faces), then
      // everything else nearest first.
      auto is_weight = [&](std::uint32_t item) {
        const ObjectKind k = (*layout_)[drawn_object(item)].kind;
        return k == ObjectKind::Weight1 || k == ObjectKind::Weight2;
      };
      auto is_collective = [&](std::uint32_t item) { return is_communication((*layout_)[drawn_object(item)].kind); };
      for (auto it = sorted_.rbegin(); it != sorted_.rend(); ++it) {
        if (is_collective(*it) && labelled(drawn_object(*it))) try_label(*it);
      }
      for (auto it = sorted_.rbegin(); it != sorted_.rend(); ++it) {
        if (is_weight(*it)) try_label(*it);
      }
      for (auto it = sorted_.rbegin(); it != sorted_.rend(); ++it) {
        if (!is_weight(*it) && !is_collective(*it) && labelled(drawn_object(*it))) try_label(*it);
      }
    }
  }
  glBindBuffer(GL_ARRAY_BUFFER, gpu_->glyph_buffer.name());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(glyphs.size() * sizeof(GlyphInstance)), glyphs.data(),
               GL_DYNAMIC_DRAW);
  glBindBuffer(GL_ARRAY_BUFFER, gpu_->line_buffer.name());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(lines.size() * sizeof(LineInstance)), lines.data(),
               GL_DYNAMIC_DRAW);
  GL_CHECK(glBindBuffer(GL_ARRAY_BUFFER, 0));
  gpu_->glyph_count = glyphs.size();
  gpu_->line_count = lines.size();
  stats_.glyphs = glyphs.size();
  labels_dirty_ = false;
}

void SceneRenderer::draw(const Camera& camera, int width, int height, const RenderStyle& style) {
  const glm::vec4 bg = style.background;
  glViewport(0, 0, width, height);
  glClearColor(bg.r * bg.a, bg.g * bg.a, bg.b * bg.a, bg.a);  // premultiplied
  glClear(GL_COLOR_BUFFER_BIT);
  if (layout_ == nullptr) return;

  const bool merge = style.level_of_detail && layout_->size() > kMergeAboveObjects &&
                     microbatch_pixels(*layout_, camera, height) < kMergeMicrobatchesBelowPx;
  if (merge != merged_) {
    merged_ = merge;
    runs_dirty_ = draw_list_dirty_ = labels_dirty_ = true;
    if (!merged_ && object_states_stale_) {  // states changed while merged
      glBindBuffer(GL_TEXTURE_BUFFER, gpu_->state_buffer.name());
      glBufferSubData(GL_TEXTURE_BUFFER, 0, static_cast<GLsizeiptr>(states_.size()), states_.data());
      GL_CHECK(glBindBuffer(GL_TEXTURE_BUFFER, 0));
      object_states_stale_ = false;
    }
  }
  if (merged_ && runs_dirty_) rebuild_runs();
  if (!merged_ && visible_dirty_) rebuild_visible();
  const bool ortho = camera.projection == Projection::Orthographic;
  if (draw_list_dirty_ || camera.eye() != sorted_for_eye_ || camera.forward() != sorted_for_forward_ ||
      ortho != sorted_orthographic_) {
    sort_and_upload_draw_list(camera);
  }
  const float aspect = static_cast<float>(width) / static_cast<float>(std::max(height, 1));
  const glm::mat4 view_proj = camera.view_projection(aspect);
  // Labels depend on the view only when decluttered (what fits where).
  const LabelKey key{style.labels, style.axes, style.declutter_labels,
                     style.declutter_labels ? view_proj : glm::mat4(0.0f), width, height};
  if (labels_dirty_ || !(key == label_key_)) {
    upload_labels(style, view_proj, width, height);
    label_key_ = key;
  }
  const glm::vec2 viewport(static_cast<float>(width), static_cast<float>(height));

  glDisable(GL_DEPTH_TEST);  // painter's order: the draw list is sorted
  glDisable(GL_CULL_FACE);
  glEnable(GL_BLEND);
  glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);  // premultiplied "over"

  if (gpu_->line_count > 0) {
    glUseProgram(gpu_->lines.name());
    glUniformMatrix4fv(gpu_->lines.uniform("u_view_proj"), 1, GL_FALSE, glm::value_ptr(view_proj));
    glUniform2f(gpu_->lines.uniform("u_viewport"), viewport.x, viewport.y);
    glUniform1f(gpu_->lines.uniform("u_width_px"), style.line_px * style.pixel_scale);
    glBindVertexArray(gpu_->line_vao.name());
    GL_CHECK(glDrawArraysInstanced(GL_TRIANGLES, 0, 6, static_cast<GLsizei>(gpu_->line_count)));
  }

  if (gpu_->draw_count > 0) {
    const gl::ShaderProgram& p = gpu_->boxes;
    glUseProgram(p.name());
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_BUFFER, (merged_ ? gpu_->run_box_texture : gpu_->box_texture).name());
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_BUFFER, (merged_ ? gpu_->run_state_texture : gpu_->state_texture).name());
    glUniform1i(p.uniform("u_boxes"), 0);
    glUniform1i(p.uniform("u_states"), 1);
    glUniformMatrix4fv(p.uniform("u_view_proj"), 1, GL_FALSE, glm::value_ptr(view_proj));
    const glm::vec3 eye = camera.eye(), forward = camera.forward();
    glUniform3fv(p.uniform("u_eye"), 1, glm::value_ptr(eye));
    glUniform3fv(p.uniform("u_forward"), 1, glm::value_ptr(forward));
    glUniform1i(p.uniform("u_orthographic"), ortho ? 1 : 0);
    glm::vec4 palette[18];
    glm::vec3 shade[3];
    for (int g = 0; g < 3; ++g) {
      for (int s = 0; s < kVisualStateCount; ++s) {
        palette[g * 6 + s] = notebook_colour(static_cast<ColourGroup>(g), static_cast<VisualState>(s));
      }
      shade[g] = notebook_shading(static_cast<ColourGroup>(g));
    }
    glUniform4fv(p.uniform("u_palette"), 18, glm::value_ptr(palette[0]));
    glUniform3fv(p.uniform("u_shade"), 3, glm::value_ptr(shade[0]));
    glm::vec3 tints[kRankTints];
    for (int r = 0; r < kRankTints; ++r) tints[r] = rank_tint(r);
    glUniform3fv(p.uniform("u_rank_tint"), kRankTints, glm::value_ptr(tints[0]));
    glUniform1f(p.uniform("u_edge_px"), style.edges ? style.edge_px * style.pixel_scale : 0.0f);
    glUniform1i(p.uniform("u_order_independent"), style.order_independent ? 1 : 0);
    glUniform1f(p.uniform("u_depth_scale"), camera.distance);
    GLint destination = 0;
    if (style.order_independent) {
      glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &destination);
      if (!gpu_->oit) gpu_->oit = std::make_unique<OitPass>();
      gpu_->oit->begin(width, height);
    }
    glUseProgram(p.name());
    glBindVertexArray(gpu_->box_vao.name());
    GL_CHECK(glDrawArraysInstanced(GL_TRIANGLES, 0, 6, static_cast<GLsizei>(gpu_->draw_count)));
    glActiveTexture(GL_TEXTURE0);
    if (style.order_independent) gpu_->oit->resolve(static_cast<GLuint>(destination), width, height);
  }

  if (gpu_->glyph_count > 0) {
    glUseProgram(gpu_->glyphs.name());
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, gpu_->atlas.name());
    glUniform1i(gpu_->glyphs.uniform("u_atlas"), 0);
    glUniformMatrix4fv(gpu_->glyphs.uniform("u_view_proj"), 1, GL_FALSE, glm::value_ptr(view_proj));
    glUniform2f(gpu_->glyphs.uniform("u_viewport"), viewport.x, viewport.y);
    glUniform4f(gpu_->glyphs.uniform("u_colour"), 0.0f, 0.0f, 0.0f, 1.0f);
    glBindVertexArray(gpu_->glyph_vao.name());
    GL_CHECK(glDrawArraysInstanced(GL_TRIANGLES, 0, 6, static_cast<GLsizei>(gpu_->glyph_count)));
  }
  glBindVertexArray(0);
  GL_CHECK(glUseProgram(0));
}

}  // namespace pipescope
