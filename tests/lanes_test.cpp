// Lanes: every pass of the plan is a block on its rank's lane, bubbles are
// gaps, far-away blocks are culled and sub-pixel ones merged; the view zooms
// around the cursor.
#include <gtest/gtest.h>

#include "pipescope/analysis/analysis.hpp"
#include "pipescope/analysis/lanes.hpp"
#include "pipescope/model/cost_model.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/animate/timeline.hpp"
#include "support.hpp"

namespace {

using namespace pipescope;

Params one_f_one_b() {
  Params p = pipescope::testing::zoo_params(ScheduleKind::OneFOneB, 4, 8);
  p.dp = 1;
  return p;
}

TEST(Lanes, EveryPassIsABlockOnItsRankAndIdleIsAGap) {
  const SchedulePlan plan = make_plan(one_f_one_b());
  const auto lanes = make_lanes(plan);
  ASSERT_EQ(lanes.size(), 4u);
  for (std::size_t r = 0; r < lanes.size(); ++r) {
    std::int64_t covered = 0;
    for (std::size_t i = 0; i < lanes[r].compute.size(); ++i) {
      const LaneBlock& b = lanes[r].compute[i];
      covered += b.end - b.start;
      if (i > 0) {
        EXPECT_LE(lanes[r].compute[i - 1].end, b.start) << "blocks never overlap";
      }
    }
    std::int64_t busy = 0;
    for (const auto& a : plan.timing.per_rank[r]) busy += a.length;
    EXPECT_EQ(covered, busy) << "rank " << r << ": blocks cover exactly its compute";
    // 1F1B's fused backward is one block, as it is one pass: F and B per microbatch.
    EXPECT_EQ(lanes[r].compute.size(), 8u * 2u);
    for (const LaneBlock& b : lanes[r].compute) {
      EXPECT_TRUE(b.kind == BlockKind::Forward || b.kind == BlockKind::Backward);
      EXPECT_FALSE(b.overlapped);
    }
  }
  // Rank 3 (the last stage) waits before its first forward: a gap.
  EXPECT_GT(lanes[3].compute.front().start, 0);
  // Sends leave every rank but the last forward, every rank but the first backward.
  EXPECT_EQ(lanes[0].sends.size(), 8u);
  EXPECT_EQ(lanes[1].sends.size(), 16u);
}

TEST(Lanes, CullingAndMergingKeepDrawingBoundedByPixels) {
  Params p = one_f_one_b();
  p.microbatches = 64;
  p.pp = 8;
  p.L = 8;
  const auto lanes = make_lanes(make_plan(p));
  const auto& blocks = lanes[0].compute;
  std::vector<DrawnBlock> drawn;
  // The whole schedule on 100 pixels: far fewer drawn than there are blocks.
  const double total = static_cast<double>(blocks.back().end);
  visible_blocks(blocks, 0, total, total / 100, drawn);
  EXPECT_LT(drawn.size(), 110u);
  EXPECT_EQ(blocks.size(), 128u);  // 64 F and 64 B
  EXPECT_DOUBLE_EQ(drawn.front().start, static_cast<double>(blocks.front().start));
  // A window in the middle, at one frame a pixel: only the blocks in it.
  visible_blocks(blocks, 200, 260, 1.0, drawn);
  for (const auto& d : drawn) {
    EXPECT_LT(d.start, 260);
    EXPECT_GT(d.end, 200);
    EXPECT_FALSE(d.merged);
  }
  EXPECT_FALSE(drawn.empty());
  // block_at finds the block under a frame, and nothing in a gap.
  const LaneBlock& b = blocks[5];
  EXPECT_EQ(block_at(blocks, static_cast<double>(b.start) + 0.5), 5);
  EXPECT_EQ(block_at(blocks, -3.0), -1);
}

// A real model's lanes carry each pass's exposed collectives on the strip:
// as long as the cost model's share of the pass (tp all-reduces with tp 8,
// the FSDP gather with ZeRO 3), the gather at the pass's start and the
// all-reduces at its end; the notebook's and 1-GPU stages have none.
TEST(Lanes, APassesCollectivesAreItsSharesOnTheStrip) {
  Params p = pipescope::testing::gpt_6_7b_on_pp4();
  p.tp = 8;
  p.dp = 2;
  p.zero = 3;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const auto a = analyse(p);
  const RealCostNanoseconds costs = real_cost_nanoseconds(p);
  int forwards = 0, gathers = 0;
  for (const Lane& lane : a->lanes) {
    for (const LaneBlock& b : lane.compute) {
      if (b.kind != BlockKind::Forward) continue;
      const auto& c = costs.per_stage[static_cast<std::size_t>(b.stage)];
      ASSERT_GT(c.tp_f, 1);
      const auto found = [&](BlockKind kind) -> const LaneBlock* {
        for (const LaneBlock& x : lane.collectives) {
          if (x.kind == kind && x.stage == b.stage && x.microbatch == b.microbatch && x.start >= b.start && x.end <= b.end) return &x;
        }
        return nullptr;
      };
      const LaneBlock* tp = found(BlockKind::TensorParallel);
      ASSERT_NE(tp, nullptr) << "stage " << b.stage << " microbatch " << b.microbatch;
      EXPECT_NEAR(static_cast<double>(tp->end - tp->start), c.tp_f, 1.0);
      EXPECT_EQ(tp->end, b.end);
      ++forwards;
      if (c.fsdp_f >= 1) {
        const LaneBlock* g = found(BlockKind::FsdpGather);
        ASSERT_NE(g, nullptr);
        EXPECT_EQ(g->start, b.start);
        EXPECT_NEAR(static_cast<double>(g->end - g->start), c.fsdp_f, 1.0);
        ++gathers;
      }
    }
    for (std::size_t i = 1; i < lane.collectives.size(); ++i) {
      EXPECT_LE(lane.collectives[i - 1].end, lane.collectives[i].start) << "one at a time, by start";
    }
  }
  EXPECT_EQ(forwards, 4 * 8);
  std::printf("forwards with a tp all-reduce: %d, with an FSDP gather: %d\n", forwards, gathers);
  // The notebook's model has no such split.
  const auto notebook = analyse(one_f_one_b());  // held: a range-for would not keep the temporary alive
  for (const Lane& lane : notebook->lanes) EXPECT_TRUE(lane.collectives.empty());
}

TEST(LaneView, ZoomKeepsTheFrameUnderTheCursorAndStaysInRange) {
  LaneView v;
  v.fit(1000);
  EXPECT_DOUBLE_EQ(v.start, 0);
  EXPECT_DOUBLE_EQ(v.span, 1000);
  const double cursor = v.frame_at(0.25);
  v.zoom_at(cursor, 0.5, 1000);
  EXPECT_DOUBLE_EQ(v.span, 500);
  EXPECT_NEAR(v.fraction_of(cursor), 0.25, 1e-9) << "the frame under the cursor stays put";
  v.pan(-10000, 1000);
  EXPECT_GE(v.start, -50.0) << "not panned far off the start";
  v.pan(10000, 1000);
  EXPECT_LE(v.start + v.span, 1050.0) << "not far off the end";
  v.zoom_at(500, 1e-6, 1000);
  EXPECT_GE(v.span, 8.0) << "zoom stops at a few frames";
}

}  // namespace

namespace {

TEST(Lanes, ABlocksObjectsAreItsStagesForItsMicrobatchOnEveryReplica) {
  Params p = one_f_one_b();
  p.dp = 2;
  const Layout layout(p);
  const auto lanes = make_lanes(make_plan(p));
  const LaneBlock& f = lanes[1].compute.front();  // rank 1's first forward: stage 1, microbatch 0
  ASSERT_EQ(f.kind, BlockKind::Forward);
  const auto objects = objects_of_block(layout, f);
  EXPECT_EQ(objects.size(), 2u * (1 + 4));  // per replica: the stage input, F1, F2, h, x of its one layer
  for (ObjectIndex o : objects) {
    EXPECT_EQ(layout[o].microbatch, 0u) << layout.id(o);
    EXPECT_NE(layout[o].kind, ObjectKind::Weight1) << "a forward touches no weight gradient";
  }
}

TEST(Timeline, NextChangeOfAnObjectBothWays) {
  Params p;
  const Layout layout(p);
  const Timeline t(layout, *make_notebook_schedule());
  const ObjectIndex w = layout.weight1(0, 0);  // changes once: it turns red
  const auto red = t.next_change(w, 0, +1);
  ASSERT_TRUE(red.has_value());
  EXPECT_FALSE(t.next_change(w, *red, +1).has_value()) << "no later change";
  EXPECT_EQ(t.next_change(w, t.last_frame(), -1), red) << "the last change before the end";
  EXPECT_FALSE(t.next_change(w, *red, -1).has_value()) << "none before it";
  bool changed = false;
  for (const Change& c : t.changes_into(*red)) changed |= c.object == w;
  EXPECT_TRUE(changed);
}

}  // namespace
