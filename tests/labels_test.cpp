#include <gtest/gtest.h>

#include <limits>

#include "pipescope/render/label_placement.hpp"
#include "pipescope/render/labels.hpp"
#include "pipescope/animate/scene.hpp"

namespace pipescope {
namespace {

TEST(Labels, FaceLabelsFollowTheNotebookWithRealScripts) {
  Params p;
  p.L = 12;
  const Layout layout(p);
  EXPECT_EQ(face_label(layout, layout.weight1(0, 0), false), (LabelText{U"W", U"1", U"0"}));
  // The notebook's "$W_2^10$" superscripts only the 1; ours keeps all of 10.
  EXPECT_EQ(face_label(layout, layout.weight2(1, 10), false), (LabelText{U"W", U"2", U"10"}));
  EXPECT_EQ(face_label(layout, layout.hidden(0, 3, 2), true), (LabelText{U"\u2207h", U"", U"3"}));
  EXPECT_EQ(face_label(layout, layout.stage_input(0, 0, 0), false), (LabelText{U"x", U"", U"\u22121"}));
  EXPECT_EQ(face_label(layout, layout.stage_input(0, 1, 0), false), (LabelText{U"x", U"", U"3"}));
  EXPECT_EQ(face_label(layout, layout.flop1(0, 0, 0), false), LabelText{});
}

TEST(Labels, AxisArrowsAsTheNotebookDrawsThem) {
  const auto axes = notebook_axes(Params{});
  ASSERT_EQ(axes.size(), 3u);
  EXPECT_EQ(axes[0].to - axes[0].from, glm::vec3(16, 0, 0));  // d_hidden along x
  EXPECT_EQ(axes[0].label_at, glm::vec3(8, -2, -2));
  EXPECT_EQ(axes[1].to - axes[1].from, glm::vec3(0, 24, 0));  // the first replica's batch along y
  EXPECT_EQ(axes[1].from, glm::vec3(0, 0, 8));
  EXPECT_EQ(axes[1].label_at, glm::vec3(-3, 12, 11));
  EXPECT_EQ(axes[2].to - axes[2].from, glm::vec3(0, 0, 8));  // d_model along z
  EXPECT_EQ(axes[2].label_at, glm::vec3(-4, -2, 4));
}

TEST(LabelPlacer, KeepsFirstRefusesOverlapsAndOffscreen) {
  LabelPlacer placer(200, 100);
  const glm::vec4 rect(-10, -5, 10, 5);
  EXPECT_TRUE(placer.place({50, 50}, rect));
  EXPECT_FALSE(placer.place({55, 52}, rect)) << "overlaps the first";
  EXPECT_TRUE(placer.place({90, 50}, rect)) << "clear of it";
  EXPECT_FALSE(placer.place({5, 50}, rect)) << "runs off the left edge";
  EXPECT_FALSE(placer.place({100, 98}, rect)) << "runs off the top";
  placer.reserve({150, 50}, rect);
  EXPECT_FALSE(placer.place({150, 50}, rect)) << "reserved space is taken";
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

TEST(LabelPlacer, NonFiniteAnchorsAreNeverPlaced) {
  LabelPlacer placer(200, 100);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const glm::vec4 rect(-5, -5, 5, 5);
  for (glm::vec2 a : {glm::vec2(nan, 50), glm::vec2(50, nan), glm::vec2(inf, 50), glm::vec2(-inf, -inf)}) {
    EXPECT_FALSE(placer.place(a, rect));
    placer.reserve(a, rect);  // must not write anywhere
  }
  EXPECT_TRUE(placer.place({100, 50}, rect)) << "nothing was reserved by the non-finite ones";
}

}  // namespace
}  // namespace pipescope
