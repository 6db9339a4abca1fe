#pragma once
// Draws a scene: its objects as instanced translucent quads, the axis
// arrows, and the labels, into whatever framebuffer is bound. Needs a
// current OpenGL 3.3 core context for its whole life.
//
// GPU data: every object's box is uploaded once per layout; its state (one
// byte) is re-uploaded only when it changes; the draw list holds only the
// visible objects, sorted back to front whenever the camera or the visible
// set changes. Scenes of many microbatches seen from afar draw runs of
// microbatches merged instead (merged_runs.hpp), rebuilt when states change.

#include <cstdint>
#include <memory>
#include <vector>

#include "pipescope/render/camera.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/render/merged_runs.hpp"
#include "pipescope/model/layout.hpp"
#include "pipescope/render/style.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope {

struct RenderStats {
  std::size_t objects = 0;          // in the scene
  std::size_t visible_objects = 0;  // drawn this frame
  std::size_t drawn_boxes = 0;      // the same, or fewer where microbatches merged
  std::size_t quads = 0;            // instances in the object draw
  std::size_t glyphs = 0;           // label glyph instances
  std::size_t state_uploads = 0;    // objects whose state went to the GPU last update
};

class SceneRenderer {
 public:
  // `font` may be null: no labels. It must outlive the renderer.
  explicit SceneRenderer(const FontAtlas* font);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // A new scene: boxes uploaded, every state uploaded from `playhead`.
  void set_scene(const Layout& layout, Playhead& playhead);
  // The playhead moved: upload what changed since the last call.
  void update(Playhead& playhead);
  // Objects outlined in a strong colour whatever their state (a selection):
  // their boxes drawn as lines over the scene. Empty: none.
  void set_highlight(std::vector<ObjectIndex> objects);
  // Draws into the bound framebuffer, a viewport of width x height pixels.
  void draw(const Camera& camera, int width, int height, const RenderStyle& style);

  const RenderStats& stats() const { return stats_; }

 private:
  struct Gpu;
  void rebuild_visible();
  void rebuild_runs();
  bool labelled(ObjectIndex i) const;
  // A draw-list item is an object, or a merged run when microbatches merge.
  const Box& drawn_box(std::uint32_t item) const;
  ObjectIndex drawn_object(std::uint32_t item) const;
  VisualState drawn_state(std::uint32_t item) const;
  void sort_and_upload_draw_list(const Camera& camera);
  void upload_labels(const RenderStyle& style, const glm::mat4& view_proj, int width, int height);

  const FontAtlas* font_;
  const Layout* layout_ = nullptr;
  std::vector<VisualState> states_;  // mirror of what the GPU holds
  std::vector<ObjectIndex> visible_;
  std::vector<std::uint32_t> sorted_;  // draw-list items, back to front
  std::vector<MergedRun> runs_;  // the visible objects merged, while merged_
  bool merged_ = false;
  bool runs_dirty_ = true;
  bool object_states_stale_ = false;  // states_ ahead of the GPU's (changed while merged)
  std::vector<ObjectIndex> highlight_;  // outlined whatever their state
  bool visible_dirty_ = true;
  bool draw_list_dirty_ = true;
  bool labels_dirty_ = true;
  // What the uploaded labels were built for.
  struct LabelKey {
    bool labels = false, axes = false, declutter = false;
    glm::mat4 view_proj{0.0f};
    int width = 0, height = 0;
    bool operator==(const LabelKey&) const = default;
  } label_key_;
  glm::vec3 sorted_for_eye_{0.0f}, sorted_for_forward_{0.0f};
  bool sorted_orthographic_ = false;
  RenderStats stats_;
  std::unique_ptr<Gpu> gpu_;
};

}  // namespace pipescope
