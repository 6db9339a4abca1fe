// Level of detail: merging consecutive microbatches that show the same state
// (merged_runs.hpp). Pure CPU.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "pipescope/animate/scene.hpp"
#include "pipescope/render/merged_runs.hpp"
#include "pipescope/render/still.hpp"

namespace pipescope {
namespace {

Params small_mesh() {
  Params p;
  p.dp = 2;
  p.pp = 2;
  p.L = 4;
  p.microbatches = 8;
  return p;
}

// The object of `kind` at (replica, layer or stage, microbatch).
ObjectIndex object_at(const Layout& layout, ObjectKind kind, int r, int l, int m) {
  switch (kind) {
    case ObjectKind::Hidden: return layout.hidden(r, l, m);
    case ObjectKind::Residual: return layout.residual(r, l, m);
    case ObjectKind::Flop1: return layout.flop1(r, l, m);
    case ObjectKind::Flop2: return layout.flop2(r, l, m);
    case ObjectKind::StageInput: return layout.stage_input(r, l, m);
    case ObjectKind::PipeSend: return layout.pipe_send(r, l, m);
    default: return layout.weight1(r, l);
  }
}

// Every run covers consecutive microbatches of one kind, replica and layer,
// all in its state, its box their union; every visible object is in exactly
// one run and no hidden one in any.
void expect_runs_cover(const Layout& layout, const std::vector<VisualState>& states) {
  const auto runs = merge_microbatch_runs(layout, states);
  std::vector<int> covered(layout.size(), 0);
  for (const MergedRun& run : runs) {
    const SceneObject& first = layout[run.first];
    Box box = first.box;
    for (std::uint32_t k = 0; k < run.count; ++k) {
      const ObjectIndex i = k == 0 ? run.first
                                   : object_at(layout, first.kind, static_cast<int>(first.replica),
                                               static_cast<int>(first.layer), static_cast<int>(first.microbatch + k));
      ASSERT_EQ(states[i], run.state) << layout.id(i);
      ++covered[i];
      for (int a = 0; a < 3; ++a) {
        box.lo[a] = std::min(box.lo[a], layout[i].box.lo[a]);
        box.hi[a] = std::max(box.hi[a], layout[i].box.hi[a]);
      }
    }
    EXPECT_EQ(box.lo, run.box.lo) << layout.id(run.first);
    EXPECT_EQ(box.hi, run.box.hi) << layout.id(run.first);
  }
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    EXPECT_EQ(covered[i], states[i] == VisualState::Hidden ? 0 : 1) << layout.id(i);
  }
}

TEST(MergedRuns, EveryVisibleObjectIsInExactlyOneRunAtEveryFrame) {
  Scene scene(small_mesh());
  Playhead& ph = scene.playhead();
  std::size_t most_merged = 0;
  for (std::uint32_t f = 0; f <= scene.timeline().last_frame(); f += 7) {
    ph.seek(f);
    SCOPED_TRACE("frame " + std::to_string(f));
    expect_runs_cover(scene.layout(), ph.state());
    std::size_t visible = 0;
    for (VisualState s : ph.state()) visible += s != VisualState::Hidden;
    most_merged = std::max(most_merged, visible - merge_microbatch_runs(scene.layout(), ph.state()).size());
  }
  EXPECT_GT(most_merged, 50u) << "some frame merges many microbatches";
}

TEST(MergedRuns, ARunEndsWhereTheStateChanges) {
  const Layout layout(small_mesh());
  std::vector<VisualState> states(layout.size(), VisualState::Hidden);
  for (int m = 0; m < 8; ++m) states[layout.flop1(1, 2, m)] = m == 3 ? VisualState::Dim : VisualState::Lit;
  states[layout.flop1(1, 2, 6)] = VisualState::Hidden;
  const auto runs = merge_microbatch_runs(layout, states);
  // Lit 0-2, dim 3, lit 4-5, (hidden 6), lit 7.
  ASSERT_EQ(runs.size(), 4u);
  const std::vector<std::tuple<std::uint32_t, std::uint32_t, VisualState>> expected = {
      {0, 3, VisualState::Lit}, {3, 1, VisualState::Dim}, {4, 2, VisualState::Lit}, {7, 1, VisualState::Lit}};
  for (std::size_t k = 0; k < runs.size(); ++k) {
    EXPECT_EQ(layout[runs[k].first].microbatch, std::get<0>(expected[k]));
    EXPECT_EQ(runs[k].count, std::get<1>(expected[k]));
    EXPECT_EQ(runs[k].state, std::get<2>(expected[k]));
  }
  // The first run spans microbatches 0-2 on the batch axis, nothing more.
  EXPECT_EQ(runs[0].box.lo[1], layout[layout.flop1(1, 2, 0)].box.lo[1]);
  EXPECT_EQ(runs[0].box.hi[1], layout[layout.flop1(1, 2, 2)].box.hi[1]);
}

TEST(MergedRuns, MicrobatchPixelsFollowTheCamera) {
  const Layout layout(small_mesh());
  Camera camera = fitted_camera(layout, ViewPreset::Notebook, Projection::Perspective, 1.0f);
  const float near = microbatch_pixels(layout, camera, 1000);
  // By hand: the slab's batch extent over the view's height at the target.
  const Box& slab = layout[layout.hidden(0, 0, 0)].box;
  EXPECT_NEAR(near, (slab.hi[1] - slab.lo[1]) * 1000.0 / (2.0 * camera.half_height_at_target()), 1e-3);
  camera.distance *= 2.0f;
  EXPECT_NEAR(microbatch_pixels(layout, camera, 1000), near / 2.0f, 1e-3);
  EXPECT_NEAR(microbatch_pixels(layout, camera, 500), near / 4.0f, 1e-3);
}

}  // namespace
}  // namespace pipescope
