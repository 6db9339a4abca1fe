// The planner: its pruned search ranks the same layouts as simulating every
// one, each row is what `stats` of its flags says, the front has no
// dominated point, constraints hold, and a GPU count, memory or constraint
// that leaves no layout is refused saying what would work.

#include <gtest/gtest.h>

#include <algorithm>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/model/cost_model.hpp"
#include "pipescope/plan/auto_shape.hpp"
#include "pipescope/plan/layout_figures.hpp"
#include "pipescope/plan/planner.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace {

using namespace pipescope;

constexpr double kGiB = 1024.0 * 1024 * 1024;

// A 2.7B-parameter GPT on A100-like GPUs: small enough to simulate every layout.
Params small_model() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 2560;
  p.heads = 32;
  p.L = 16;
  p.seq_len = 2048;
  p.vocab = 32000;
  p.B = 32;
  p.gpu_tflops = 312;
  p.gpu_memory_gib = 40;
  p.intra_node_gbps = 300;
  p.inter_node_gbps = 25;
  p.matmul_knee_gflop = 80;  // small matmuls are slower: the layouts differ
  p.layer_floor_us = 300;
  return p;
}

std::string plan_error(const Params& base, PlanOptions o) {
  try {
    plan_layouts(base, o);
  } catch (const PlanError& e) {
    return e.what();
  }
  return "";
}

TEST(Planner, RanksTheSameLayoutsAsSimulatingEveryOne) {
  for (const double memory : {40.0, 12.0}) {  // roomy, and tight enough that memory binds
    Params base = small_model();
    base.gpu_memory_gib = memory;
    PlanOptions o;
    o.gpus = 16;
    o.top = 8;
    o.auto_shapes = 0;
    const PlanResult pruned = plan_layouts(base, o);
    o.top = 1'000'000;  // no K-th time to bound by: every fitting layout is simulated
    const PlanResult all = plan_layouts(base, o);
    ASSERT_GE(all.ranked.size(), 8u);
    ASSERT_EQ(pruned.ranked.size(), 8u);
    for (std::size_t i = 0; i < 8; ++i) {
      EXPECT_EQ(pruned.ranked[i].makespan, all.ranked[i].makespan) << memory << " GiB, row " << i;
    }
    EXPECT_EQ(pruned.evaluated, all.evaluated);
    EXPECT_LT(pruned.simulated * 2, all.simulated) << "the bound prunes at least half";
    // The front is the front of everything simulated, however many were.
    ASSERT_EQ(pruned.front.size(), all.front.size()) << memory << " GiB";
    for (std::size_t i = 0; i < all.front.size(); ++i) {
      EXPECT_EQ(pruned.front[i].makespan, all.front[i].makespan);
      EXPECT_DOUBLE_EQ(pruned.front[i].peak_memory_bytes, all.front[i].peak_memory_bytes);
    }
  }
}

TEST(Planner, EachRowIsWhatItsFlagsGiveEveryOtherView) {
  const Params base = small_model();
  PlanOptions o;
  o.gpus = 16;
  o.top = 12;
  const PlanResult r = plan_layouts(base, o);
  ASSERT_FALSE(r.ranked.empty());
  std::int64_t previous = 0;
  for (const PlannedLayout& row : r.ranked) {
    const Params p = apply_layout(base, row.layout);
    ASSERT_TRUE(validate(p, ValidationScope::Figures).empty()) << layout_text(row.layout);
    EXPECT_EQ(p.gpus(), 16);
    EXPECT_EQ(p.B, base.B);
    EXPECT_TRUE(row.fits);
    EXPECT_GT(row.makespan, previous) << "fastest first, and layouts of the same step folded as alike";
    previous = row.makespan;
    // The simulator every view uses gives the same step, and stats the same peak.
    SchedulePlan plan;
    if (row.layout.schedule == ScheduleKind::Auto) {
      ASSERT_TRUE(row.program);
      plan = layout_plan(p, row);
    } else {
      plan = make_plan(p);
    }
    EXPECT_EQ(plan.timing.makespan, row.makespan) << layout_text(row.layout);
    const ScheduleStats st = schedule_stats(p, plan);
    double peak = 0;
    for (const RankStats& rs : st.ranks) peak = std::max(peak, rs.peak_memory_bytes);
    EXPECT_NEAR(peak, row.peak_memory_bytes, 1e-6 * peak) << layout_text(row.layout);
    EXPECT_LE(peak, base.gpu_memory_gib * kGiB);
    // Its figures: shares of the GPUs' time that add up.
    const LayoutFigures f = layout_figures(base, row);
    EXPECT_NEAR(f.compute + f.recompute + f.tp + f.cp + f.ep + f.fsdp + f.idle, 1.0, 1e-6);
    EXPECT_GT(f.throughput.mfu, 0);
    EXPECT_FALSE(f.binds.empty());
  }
}

TEST(Planner, TheFrontHasNoDominatedLayoutAndCoversTheBest) {
  Params base = small_model();
  base.gpu_memory_gib = 6;
  PlanOptions o;
  o.gpus = 16;
  const PlanResult r = plan_layouts(base, o);
  ASSERT_GE(r.front.size(), 3u);
  for (std::size_t i = 1; i < r.front.size(); ++i) {
    EXPECT_GT(r.front[i].peak_memory_bytes, r.front[i - 1].peak_memory_bytes);
    EXPECT_LT(r.front[i].makespan, r.front[i - 1].makespan);
  }
  // The best fitting layout is on it, or a point no larger and no slower is.
  const PlannedLayout& best = r.ranked.front();
  EXPECT_TRUE(std::any_of(r.front.begin(), r.front.end(), [&](const PlannedLayout& f) {
    return f.peak_memory_bytes <= best.peak_memory_bytes && f.makespan <= best.makespan;
  }));
  // Memory binds here: the fastest of all needs more than a GPU has.
  ASSERT_TRUE(r.fastest);
  EXPECT_FALSE(r.fastest->fits);
  EXPECT_LT(r.fastest->makespan, best.makespan);
}

TEST(Planner, FixedChoicesHoldInEveryRow) {
  const Params base = small_model();
  PlanOptions o;
  o.gpus = 16;
  ASSERT_EQ(add_constraint(o.fixed, "tp=2"), "");
  ASSERT_EQ(add_constraint(o.fixed, "recompute=full"), "");
  ASSERT_EQ(add_constraint(o.fixed, "schedule=1f1b"), "");
  const PlanResult r = plan_layouts(base, o);
  ASSERT_FALSE(r.ranked.empty());
  for (const PlannedLayout& row : r.ranked) {
    EXPECT_EQ(row.layout.tp, 2);
    EXPECT_EQ(row.layout.recompute, Recompute::Full);
    EXPECT_EQ(row.layout.schedule, ScheduleKind::OneFOneB) << "auto's refinement keeps out of a fixed schedule";
  }
  EXPECT_EQ(r.auto_searched, 0);
}

TEST(Planner, ScheduleAutoFixedRanksAutosOrdersOnly) {
  const Params base = small_model();
  PlanOptions o;
  o.gpus = 16;
  o.top = 4;
  ASSERT_EQ(add_constraint(o.fixed, "schedule=auto"), "");
  const PlanResult r = plan_layouts(base, o);
  ASSERT_FALSE(r.ranked.empty());
  for (const PlannedLayout& row : r.ranked) {
    EXPECT_EQ(row.layout.schedule, ScheduleKind::Auto);
    ASSERT_TRUE(row.program);
    // Its order, timed by the simulator, is the row's step.
    const Params p = apply_layout(base, row.layout);
    EXPECT_EQ(simulate(*row.program, costs_for(p)).makespan, row.makespan);
  }
}

TEST(Planner, ExpertsAreCarvedFromDataParallelGpus) {
  Params base = small_model();
  base.experts = 8;
  base.top_k = 2;
  PlanOptions o;
  o.gpus = 16;
  ASSERT_EQ(add_constraint(o.fixed, "ep=4"), "");
  const PlanResult r = plan_layouts(base, o);
  ASSERT_FALSE(r.ranked.empty());
  for (const PlannedLayout& row : r.ranked) {
    EXPECT_EQ(row.layout.ep, 4);
    EXPECT_EQ((row.layout.dp * row.layout.cp) % 4, 0) << layout_text(row.layout);
  }
}

TEST(Planner, ATimeBudgetEndsWithAnAnswer) {
  const Params base = small_model();
  PlanOptions o;
  o.gpus = 16;
  o.deadline = std::chrono::steady_clock::now();  // already past: one answer, then stop
  const PlanResult r = plan_layouts(base, o);
  EXPECT_TRUE(r.stopped_at_deadline);
  EXPECT_FALSE(r.ranked.empty());
}

TEST(Planner, AGpuCountNoLayoutUsesIsRefusedWithCountsThatWork) {
  Params base = small_model();  // 16 layers, batch 32, 32 heads
  PlanOptions o;
  o.gpus = 7;  // no tp, pp or dp of 7 divides anything
  const std::string why = plan_error(base, o);
  EXPECT_NE(why.find("no layout uses 7 GPUs"), std::string::npos) << why;
  // 6 cannot either: dp 6 or 3 does not divide the batch, nor pp 3 the layers.
  EXPECT_NE(why.find("counts that work near it: 1, 2, 4, 8, 16, 32"), std::string::npos) << why;
  EXPECT_EQ(usable_gpu_counts(base, 7, 2), (std::vector<std::int64_t>{4, 8}));
}

TEST(Planner, AModelThatFitsNowhereSaysTheLeastMemoryAnyLayoutNeeds) {
  Params base = small_model();
  base.gpu_memory_gib = 0.5;
  PlanOptions o;
  o.gpus = 8;
  const std::string why = plan_error(base, o);
  EXPECT_NE(why.find("no layout of 8 GPUs fits in 0.5 GiB"), std::string::npos) << why;
  EXPECT_NE(why.find("the least memory any needs is"), std::string::npos) << why;
  EXPECT_NE(why.find("--gpu-memory-gib"), std::string::npos) << why;
  // The least is what that layout needs: a cap just above it finds it.
  o.top = 1;
  base.gpu_memory_gib = 64;
  const PlanResult roomy = plan_layouts(base, o);
  ASSERT_TRUE(roomy.least_memory);
  base.gpu_memory_gib = roomy.least_memory->peak_memory_bytes / kGiB * 1.0001;
  EXPECT_NO_THROW(plan_layouts(base, o));
  base.gpu_memory_gib = roomy.least_memory->peak_memory_bytes / kGiB * 0.9999;
  EXPECT_NE(plan_error(base, o), "");
}

TEST(Planner, ContradictoryFixesAreNamed) {
  const Params base = small_model();
  PlanOptions o;
  o.gpus = 16;
  ASSERT_EQ(add_constraint(o.fixed, "tp=8"), "");
  ASSERT_EQ(add_constraint(o.fixed, "pp=16"), "");  // each alone works; together they need 128 GPUs
  std::string why = plan_error(base, o);
  EXPECT_NE(why.find("the fixes tp=8, pp=16 cannot hold together on 16 GPUs"), std::string::npos) << why;
  PlanOptions odd;
  odd.gpus = 16;
  ASSERT_EQ(add_constraint(odd.fixed, "tp=3"), "");
  why = plan_error(base, odd);
  EXPECT_NE(why.find("--fix tp=3: no layout of 16 GPUs has it"), std::string::npos) << why;
}

TEST(Planner, ConstraintsAreParsedOrRefusedNamingTheValue) {
  LayoutConstraints c;
  EXPECT_NE(add_constraint(c, "tp").find("not key=value"), std::string::npos);
  EXPECT_NE(add_constraint(c, "tq=2").find("'tq' is not a layout key"), std::string::npos);
  EXPECT_NE(add_constraint(c, "tp=0").find("tp=0 must be a whole number of 1 or more"), std::string::npos);
  EXPECT_NE(add_constraint(c, "zero=4").find("from 0 to 3"), std::string::npos);
  EXPECT_NE(add_constraint(c, "recompute=some").find("give none, selective or full"), std::string::npos);
  EXPECT_NE(add_constraint(c, "schedule=fast").find("not a schedule"), std::string::npos);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(add_constraint(c, "microbatch-size=2"), "");
  EXPECT_EQ(add_constraint(c, "schedule=zb-v"), "");
  EXPECT_EQ(constraints_text(c), "microbatch-size=2, schedule=zb-v");
}

TEST(Planner, NeedsATransformer) {
  Params notebook;  // the notebook's MLP: drawing units, no real sizes
  PlanOptions o;
  o.gpus = 8;
  EXPECT_NE(plan_error(notebook, o).find("--model transformer"), std::string::npos);
}

}  // namespace

namespace {

using namespace pipescope;

// --schedule auto with no --chunks: the faster of one stage a rank and a V
// that fits, said with the other's time; a V says PyTorch 2.6 cannot run it.
TEST(AutoShape, KeepsTheFasterOfOneStageARankAndAV) {
  Params p = small_model();
  p.pp = 4;
  p.dp = 4;
  p.microbatches = 8;
  p.schedule = ScheduleKind::Auto;
  p.auto_seconds = 1;
  const auto shape = choose_auto_shape(p);
  ASSERT_TRUE(shape);
  ASSERT_TRUE(shape->params.chunks);
  Params one = p, v = p;
  one.chunks = 1;
  v.chunks = 2;
  const std::int64_t one_time = make_plan(one).timing.makespan, v_time = make_plan(v).timing.makespan;
  const std::int64_t chosen = make_plan(shape->params).timing.makespan;
  EXPECT_EQ(chosen, std::min(one_time, v_time)) << shape->note;
  EXPECT_NE(shape->note.find(*shape->params.chunks == 2 ? "chose a V" : "chose one stage a rank"), std::string::npos)
      << shape->note;
  EXPECT_EQ(shape->note.find("PyTorch newer than 2.6") != std::string::npos, *shape->params.chunks == 2) << shape->note;
  // Nothing to choose once chunks is given, or for another schedule.
  EXPECT_FALSE(choose_auto_shape(one));
  Params zoo = p;
  zoo.schedule = ScheduleKind::OneFOneB;
  EXPECT_FALSE(choose_auto_shape(zoo));
}

}  // namespace
