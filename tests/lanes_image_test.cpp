// The lanes as a picture (`pipescope render --lanes`), drawn by the explorer's
// own panel code on a headless context: every block is the colour of what the
// engine says runs there, and idle stays empty.
#include <gtest/gtest.h>

#include <glm/glm.hpp>

#include "image_compare.hpp"
#include "support.hpp"

#include "explorer/lanes_image.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/analysis/lanes.hpp"

namespace {

using namespace pipescope;

glm::ivec3 pixel(const Image& img, int x, int y) {
  const std::size_t i = (static_cast<std::size_t>(y) * img.width + x) * 4;
  return {img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]};
}

// The lanes' colours: forward green, backward-input red, weight gradient
// orange, a fused backward crimson.
BlockKind classify(glm::ivec3 c) {
  if (c.g > c.r + 40 && c.g > c.b + 40) return BlockKind::Forward;
  if (c.r > 140 && c.r < 190 && c.g < 70 && c.b > 50 && c.b < 100) return BlockKind::Backward;
  if (c.r > 180 && c.g < 110 && c.b < 110) return BlockKind::BackwardInput;
  if (c.r > 200 && c.g > 120 && c.g < 180 && c.b < 90) return BlockKind::BackwardWeight;
  return BlockKind::Send;  // anything else (background, text)
}

TEST(LanesImage, BlocksHaveTheColourOfTheirActionsAndBubblesStayEmpty) {
  gl::HeadlessContext context;
  Params p;
  p.schedule = ScheduleKind::OneFOneB;
  p.pp = 4;
  p.L = 8;
  p.microbatches = 8;
  const app::LanesImage picture = app::render_lanes_image(p, 1600, 300, 0, find_font_file("DejaVu Sans"));
  ASSERT_EQ(picture.image.width, 1600);
  const auto lanes = make_lanes(make_plan(p));
  int checked = 0, gaps = 0;
  for (std::size_t r = 0; r < lanes.size(); ++r) {
    const int y = static_cast<int>(picture.y0 + static_cast<float>(r) * picture.row + picture.bar * 0.8f);
    auto x_of = [&](double t) { return static_cast<int>(picture.x0 + (t - picture.start) / picture.span * picture.width); };
    for (const LaneBlock& b : lanes[r].compute) {
      // Far enough inside the block to miss its neighbours and its label.
      const int x0 = x_of(static_cast<double>(b.start)) + 2, x1 = x_of(static_cast<double>(b.end)) - 2;
      if (x1 <= x0) continue;
      EXPECT_EQ(classify(pixel(picture.image, x0, y)), b.kind)
          << "rank " << r << " block at frames " << b.start << "-" << b.end;
      ++checked;
    }
    // Between two blocks with a gap of a few pixels: nothing drawn.
    for (std::size_t i = 1; i < lanes[r].compute.size(); ++i) {
      const int g0 = x_of(static_cast<double>(lanes[r].compute[i - 1].end)) + 2;
      const int g1 = x_of(static_cast<double>(lanes[r].compute[i].start)) - 2;
      if (g1 - g0 < 3) continue;
      const glm::ivec3 c = pixel(picture.image, (g0 + g1) / 2, y);
      EXPECT_GT(c.r, 225) << "a bubble on rank " << r;
      EXPECT_GT(c.g, 225) << "a bubble on rank " << r;
      ++gaps;
    }
  }
  EXPECT_GT(checked, 60);
  EXPECT_GT(gaps, 4) << "1F1B has bubbles";
}

}  // namespace

#include "explorer/comparison.hpp"
#include "param_flags.hpp"
#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace {

std::size_t catalog_index(pipescope::ScheduleKind kind) {
  const auto catalog = pipescope::schedule_catalog();
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (catalog[i].kind == kind) return i;
  }
  return 0;
}

// With PyTorch's 1F1B file loaded, "compare with gpipe" is GPipe, not the
// file again (it used to inherit the scene's schedule_file: makespan 250).
TEST(Comparison, ComparesTheChosenScheduleNotTheScenesFile) {
  pipescope::gl::HeadlessContext context;
  pipescope::Params scene;
  scene.schedule_file = pipescope::load_schedule_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv");
  pipescope::app::apply_schedule_file_shape(scene, false, false, false, false);
  ASSERT_TRUE(pipescope::validate(scene).empty());
  pipescope::app::Comparison compare;
  compare.choice.schedule = static_cast<int>(catalog_index(pipescope::ScheduleKind::GPipe));
  compare.refresh(scene, true, pipescope::make_plan(scene).frame_length);
  ASSERT_TRUE(compare.active());
  pipescope::Params gpipe = scene;
  gpipe.schedule_file.reset();
  gpipe.schedule = pipescope::ScheduleKind::GPipe;
  EXPECT_EQ(compare.plan().program.per_rank, pipescope::make_plan(gpipe).program.per_rank);
  EXPECT_EQ(compare.stats().makespan, pipescope::make_plan(gpipe).timing.makespan);
  EXPECT_NE(compare.stats().makespan, pipescope::make_plan(scene).timing.makespan);
}

// A real-time plan's frame follows its own makespan: the compared plan is
// put on the scene's frames, so both playheads mark the same time.
TEST(Comparison, BothPlayheadsMarkTheSameTime) {
  pipescope::gl::HeadlessContext context;
  const pipescope::Params scene = pipescope::testing::gpt_6_7b_on_pp4();
  ASSERT_TRUE(pipescope::validate(scene).empty());
  pipescope::Params v = scene;
  v.schedule = pipescope::ScheduleKind::ZBV;
  v.chunks.reset();
  const std::int64_t own = pipescope::make_plan(v).frame_length, scenes = pipescope::make_plan(scene).frame_length;
  ASSERT_NE(own, scenes) << "the two steps differ in length, so would their frames";
  pipescope::app::Comparison compare;
  compare.choice.schedule = static_cast<int>(catalog_index(pipescope::ScheduleKind::ZBV));
  compare.refresh(scene, true, scenes);
  ASSERT_TRUE(compare.active());
  EXPECT_EQ(compare.plan().frame_length, scenes);
  EXPECT_EQ(compare.plan().timing.makespan, pipescope::make_plan(v).timing.makespan);
}

}  // namespace

namespace {

// The lanes and memory plot of a real model as a baseline: time axis, GiB
// axis, the GPU-memory line, labels in the blocks.
TEST(LanesImage, MatchesTheBaselineOfAZeroBubbleSchedule) {
  pipescope::gl::HeadlessContext context;
  pipescope::Params p = pipescope::testing::gpt_6_7b_on_pp4();
  p.schedule = pipescope::ScheduleKind::ZBH1;
  const pipescope::app::LanesImage picture =
      pipescope::app::render_lanes_image(p, 1200, 320, 100, pipescope::find_font_file("DejaVu Sans"));
  pipescope::testing::expect_image(picture.image, "lanes-zb-h1-transformer",
                                   {64, 0.01, "glyph edges move with FreeType and llvmpipe versions"});
}

// `render --lanes --compare zb-v` of a 1F1B scene: ZB-V's lanes drawn
// beneath on the same time axis, each block the colour of its pass where the
// engine times it.
TEST(LanesImage, AComparedScheduleIsDrawnBeneathOnTheSameTimeAxis) {
  using namespace pipescope;
  gl::HeadlessContext context;
  Params p;
  p.schedule = ScheduleKind::OneFOneB;
  p.pp = 4;
  p.L = 8;
  p.microbatches = 8;
  Params v = p;
  v.schedule = ScheduleKind::ZBV;
  v.chunks.reset();
  ASSERT_TRUE(validate(v).empty());
  const int height = static_cast<int>(200 + 20 * app::lanes_image_rows(p, &v) + 40);
  const app::LanesImage picture =
      app::render_lanes_image(p, 1600, height, 0, find_font_file("DejaVu Sans"), {&v, "zb-v"});
  ASSERT_GT(picture.compare_y0, picture.y0 + 4 * picture.row);
  const auto lanes = make_lanes(make_plan(v));
  ASSERT_EQ(lanes.size(), 4u);
  int checked = 0;
  for (std::size_t r = 0; r < lanes.size(); ++r) {
    const int y = static_cast<int>(picture.compare_y0 + static_cast<float>(r) * picture.row + picture.bar * 0.8f);
    auto x_of = [&](double t) { return static_cast<int>(picture.x0 + (t - picture.start) / picture.span * picture.width); };
    for (const LaneBlock& b : lanes[r].compute) {
      const int x0 = x_of(static_cast<double>(b.start)) + 2, x1 = x_of(static_cast<double>(b.end)) - 2;
      if (x1 <= x0) continue;
      EXPECT_EQ(classify(pixel(picture.image, x0, y)), b.kind) << "zb-v rank " << r << " block at " << b.start;
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
  // The view spans the longer of the two steps.
  EXPECT_GE(picture.span, static_cast<double>(std::max(make_plan(p).timing.makespan, make_plan(v).timing.makespan)));
}

}  // namespace
