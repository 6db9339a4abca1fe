// Picking in 3D: the object under a point of the screen.
#include <gtest/gtest.h>

#include "pipescope/render/camera.hpp"
#include "pipescope/model/layout.hpp"
#include "pipescope/render/pick.hpp"

namespace pipescope {
namespace {

// Picking: the ray through the point where an object's centre projects hits
// that object (or one in front of it), never a hidden one.
TEST(Pick, TheObjectUnderItsProjectedCentreIsHit) {
  Params p;
  p.dp = 1;
  const Layout layout(p);
  Camera camera;
  camera.set_preset(ViewPreset::Front);  // looking along +y: faces stand side by side
  camera.fit(layout.bounds(), 1.5f);
  std::vector<VisualState> state = layout.initial_state();  // only the weights show
  const glm::mat4 vp = camera.view_projection(1.5f);
  int hits = 0;
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    if (state[i] == VisualState::Hidden) continue;
    const Box& b = layout[i].box;
    const glm::vec4 c = vp * glm::vec4(0.5 * (b.lo[0] + b.hi[0]), 0.5 * (b.lo[1] + b.hi[1]), 0.5 * (b.lo[2] + b.hi[2]), 1.0);
    const auto picked = pick_object(layout, state, camera, 1.5f, glm::vec2(c) / c.w);
    ASSERT_TRUE(picked.has_value()) << layout.id(i);
    EXPECT_EQ(*picked, i) << layout.id(i) << " picked as " << layout.id(*picked);
    ++hits;
  }
  EXPECT_GT(hits, 6);
  // Far off to the side: nothing.
  EXPECT_FALSE(pick_object(layout, state, camera, 1.5f, {0.999f, 0.999f}).has_value());
  // Nothing visible: nothing picked.
  std::fill(state.begin(), state.end(), VisualState::Hidden);
  EXPECT_FALSE(pick_object(layout, state, camera, 1.5f, {0.0f, 0.0f}).has_value());
  EXPECT_NE(describe_object(layout, layout.weight1(0, 2), VisualState::Blue).find("W1/r0/l2: first weight, replica 0, layer 2, stage 1 on GPU 1"),
            std::string::npos);
}

}  // namespace
}  // namespace pipescope
