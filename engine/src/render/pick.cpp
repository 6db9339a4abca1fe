#include "pipescope/render/pick.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <glm/gtc/matrix_inverse.hpp>

#include "pipescope/model/mesh.hpp"

namespace pipescope {

namespace {

// The slab test, with flat faces given a sliver of thickness so a ray
// through them is not lost to rounding. The entry distance, or nothing.
std::optional<float> hit(const Box& b, glm::vec3 origin, glm::vec3 dir) {
  float t0 = 0.0f, t1 = std::numeric_limits<float>::max();
  for (int a = 0; a < 3; ++a) {
    float lo = static_cast<float>(b.lo[a]), hi = static_cast<float>(b.hi[a]);
    if (hi - lo < 1e-3f) lo -= 1e-3f, hi += 1e-3f;
    if (std::abs(dir[a]) < 1e-12f) {
      if (origin[a] < lo || origin[a] > hi) return std::nullopt;
      continue;
    }
    float ta = (lo - origin[a]) / dir[a], tb = (hi - origin[a]) / dir[a];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
    if (t0 > t1) return std::nullopt;
  }
  return t0;
}

const char* kind_name(ObjectKind k) {
  switch (k) {
    case ObjectKind::Weight1: return "first weight";
    case ObjectKind::Weight2: return "second weight";
    case ObjectKind::Hidden: return "hidden activation";
    case ObjectKind::Residual: return "residual activation";
    case ObjectKind::StageInput: return "stage input";
    case ObjectKind::Flop1: return "first matmul";
    case ObjectKind::Flop2: return "second matmul";
    case ObjectKind::PipeSend: return "pipeline send";
    case ObjectKind::AllReduce1: return "first weight's gradient exchange";
    case ObjectKind::AllReduce2: return "second weight's gradient exchange";
    case ObjectKind::TensorReduce: return "tensor-parallel all-reduce of the layer's output (or its gradient)";
    case ObjectKind::TensorReduceIn: return "tensor-parallel all-reduce of the stage input's gradient";
    case ObjectKind::ContextRing: return "context-parallel ring: keys and values passed on";
    case ObjectKind::ExpertAllToAll: return "expert-parallel all-to-all";
  }
  return "";
}

const char* state_name(VisualState s) {
  switch (s) {
    case VisualState::Hidden: return "hidden";
    case VisualState::Blue: return "weight (blue)";
    case VisualState::Green: return "stored (green)";
    case VisualState::Red: return "gradient (red)";
    case VisualState::Dim: return "waiting (dim)";
    case VisualState::Lit: return "computing (lit)";
  }
  return "";
}


}  // namespace

std::optional<ObjectIndex> pick_object(const Layout& layout, const std::vector<VisualState>& state,
                                       const Camera& camera, float aspect, glm::vec2 ndc) {
  const glm::mat4 inverse = glm::inverse(camera.view_projection(aspect));
  const glm::vec4 near = inverse * glm::vec4(ndc, -1.0f, 1.0f), far = inverse * glm::vec4(ndc, 1.0f, 1.0f);
  const glm::vec3 origin = glm::vec3(near) / near.w;
  const glm::vec3 dir = glm::normalize(glm::vec3(far) / far.w - origin);
  if (!std::isfinite(dir.x) || !std::isfinite(dir.y) || !std::isfinite(dir.z)) return std::nullopt;
  std::optional<ObjectIndex> best;
  float best_t = std::numeric_limits<float>::max();
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    if (state[i] == VisualState::Hidden) continue;
    if (const auto t = hit(layout[i].box, origin, dir); t && *t < best_t) {
      best_t = *t;
      best = i;
    }
  }
  return best;
}

int stage_of(const Layout& layout, ObjectIndex i) {
  const SceneObject& o = layout[i];
  if (is_per_stage(o.kind)) return static_cast<int>(o.layer);
  return static_cast<int>(o.layer / static_cast<std::uint32_t>(layout.params().layers_per_stage()));
}

std::string describe_object(const Layout& layout, ObjectIndex i, VisualState state) {
  const SceneObject& o = layout[i];
  const int stage = stage_of(layout, i);
  std::string s = fmt::format("{}: {}, replica {}, ", layout.id(i), kind_name(o.kind), o.replica);
  if (!is_per_stage(o.kind)) s += fmt::format("layer {}, ", o.layer);
  s += fmt::format("stage {} on {}", stage, rank_label(layout.params(), layout.params().rank_of_stage(stage)));
  if (!is_per_layer(o.kind)) s += fmt::format(", microbatch {}", o.microbatch);
  return s + ", " + state_name(state);
}

}  // namespace pipescope
