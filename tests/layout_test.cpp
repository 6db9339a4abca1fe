#include <gtest/gtest.h>

#include <set>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/animate/timeline.hpp"
#include "test_params.hpp"

namespace pipescope {
namespace {

TEST(Layout, RefusesInvalidParams) {
  Params p;
  p.pp = 4;  // L = 6 is not a multiple
  EXPECT_THROW(Layout{p}, InvalidParams);
}

TEST(Layout, ObjectCountMatchesTheEstimateUsedForTheCap) {
  for (const Params& p : testing::varied_params()) {
    const Layout layout(p);
    EXPECT_EQ(static_cast<double>(layout.size()), estimated_object_count(p));
  }
}

TEST(Layout, IdsAreUniqueAndFacesAreFlat) {
  for (const Params& p : testing::varied_params()) {
    const Layout layout(p);
    std::set<std::string> ids;
    for (ObjectIndex i = 0; i < layout.size(); ++i) {
      EXPECT_TRUE(ids.insert(layout.id(i)).second) << layout.id(i);
      const Box& b = layout[i].box;
      int flat_axes = 0;
      for (int a = 0; a < 3; ++a) {
        EXPECT_LE(b.lo[a], b.hi[a]);
        flat_axes += b.lo[a] == b.hi[a];
      }
      if (is_face(layout[i].kind)) {
        EXPECT_GE(flat_axes, 1) << layout.id(i);
        EXPECT_FALSE(layout.notebook_label(i).empty());
      } else {
        EXPECT_EQ(layout.notebook_label(i), "");
      }
    }
  }
}

TEST(Layout, LookupsFindTheObjectTheyName) {
  Params p;
  const Layout layout(p);
  EXPECT_EQ(layout.id(layout.hidden(1, 4, 11)), "h/r1/l4/m11");
  EXPECT_EQ(layout.id(layout.stage_input(0, 2, 3)), "xin/r0/s2/m3");
  EXPECT_EQ(layout.id(layout.pipe_send(1, 1, 0)), "P2P/r1/s1/m0");
  EXPECT_EQ(layout.id(layout.all_reduce2(0, 5)), "AR2/r0/l5");
  EXPECT_EQ(layout.notebook_label(layout.stage_input(0, 0, 0)), "$x^{-1}$");
  EXPECT_EQ(layout.notebook_label(layout.stage_input(0, 2, 0)), "$x^{3}$");
}

TEST(Layout, StagesAreSeparatedByTheGapAndReplicasStackAlongY) {
  Params p;
  const Layout layout(p);
  // Stage 1 starts after 2 layers of d_hidden plus pp_gpu_delta.
  EXPECT_EQ(layout[layout.weight1(0, 2)].box.lo[0], 2 * 16 + 12);
  // Replica 1's batch slab starts after replica 0's (B/dp = 24) plus dp_gpu_delta.
  EXPECT_EQ(layout[layout.hidden(1, 0, 0)].box.lo[1], 24 + 16);
  // Residual faces alternate sides of z = 0.
  EXPECT_EQ(layout[layout.residual(0, 0, 0)].box.lo[2], -8);
  EXPECT_EQ(layout[layout.residual(0, 1, 0)].box.lo[2], 0);
}

TEST(Layout, FrameCountMatchesTheEstimateUsedForTheCap) {
  for (const Params& p : testing::varied_params()) {
    const Layout layout(p);
    const Timeline timeline(layout, *make_notebook_schedule());
    EXPECT_EQ(static_cast<double>(timeline.last_frame()), estimated_frame_count(p));
  }
}

}  // namespace
}  // namespace pipescope
