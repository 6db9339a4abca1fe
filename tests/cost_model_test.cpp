// Real units: the cost and memory model against figures worked out by hand
// from the papers' formulas, closed forms of the schedules' makespans, the
// notebook's memory as its scene shows it, and the animation of real time.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "pipescope/model/cost_model.hpp"
#include "support.hpp"
#include "pipescope/analysis/lanes.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace {

using namespace pipescope;

// h 1024, s 512, a 16, b 2 sequences a microbatch (B 8 = dp 1 x m 4 x 2),
// 4 layers on pp 2 (2 a stage), V 1000; 100 TFLOP/s at 50 %.
Params small_gpt() {
  Params p = pipescope::testing::small_transformer();
  p.vocab = 1000;
  p.p2p_gbps = 100;
  p.p2p_latency_us = 10;
  // Korthikanti's counts keep the attention scores (FlashAttention does not).
  p.attention = static_cast<std::int64_t>(Attention::Stored);
  return p;
}

TEST(CostModel, TransformerFlopsParametersAndActivationsAreThePapersCounts) {
  const Params p = small_gpt();
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const ModelFigures m = model_figures(p);
  ASSERT_EQ(m.stages.size(), 2u);
  // t = 2 x 512 = 1024 tokens. A layer's F = 24 t h^2 + 4 t s h
  // = 24 x 1024 x 1024^2 + 4 x 1024 x 512 x 1024 = 25,769,803,776 + 2,147,483,648.
  const double layer_f = 27'917'287'424.0;
  const double layer_i = 25'769'803'776.0 + 4'294'967'296.0;  // + 8 t s h
  const double layer_w = 25'769'803'776.0;
  const double head = 2'097'152'000.0;  // 2 t h V = 2 x 1024 x 1024 x 1000
  EXPECT_DOUBLE_EQ(m.stages[0].f_flops, 2 * layer_f);
  EXPECT_DOUBLE_EQ(m.stages[0].i_flops, 2 * layer_i);
  EXPECT_DOUBLE_EQ(m.stages[0].w_flops, 2 * layer_w);
  EXPECT_DOUBLE_EQ(m.stages[1].f_flops, 2 * layer_f + head);
  EXPECT_DOUBLE_EQ(m.stages[1].w_flops, 2 * layer_w + head);
  EXPECT_DOUBLE_EQ(m.flops_per_replica, 4 * (4 * (layer_f + layer_i + layer_w) + 3 * head));
  // 12 h^2 + 13 h = 12,582,912 + 13,312 a layer; the embedding and head V h = 1,024,000.
  EXPECT_DOUBLE_EQ(m.stages[0].parameters, 2 * 12'596'224.0 + 1'024'000.0);
  EXPECT_DOUBLE_EQ(m.stages[1].parameters, 2 * 12'596'224.0 + 1'024'000.0);
  // s b h (34 + 5 a s / h) = 1,048,576 x (34 + 40) bytes a layer; W keeps 14 s b h.
  EXPECT_DOUBLE_EQ(m.stages[0].activation_bytes, 2 * 77'594'624.0);
  EXPECT_DOUBLE_EQ(m.stages[0].kept_for_w_bytes, 2 * 14'680'064.0);
  // The head: its input s b h and its logits s b V at 2 bytes; W keeps the input.
  EXPECT_DOUBLE_EQ(m.stages[1].activation_bytes, 2 * 77'594'624.0 + 2 * (1'048'576.0 + 1'024'000.0));
  EXPECT_DOUBLE_EQ(m.stages[1].kept_for_w_bytes, 2 * 14'680'064.0 + 2 * 1'048'576.0);
  // One microbatch's activation between stages: t h x 2 bytes.
  EXPECT_DOUBLE_EQ(m.send_bytes, 2'097'152.0);
  EXPECT_DOUBLE_EQ(m.layer_gradient_bytes, 2 * 12'596'224.0);
}

TEST(CostModel, TimesAreFlopsOverAchievedThroughputAndSendsLatencyPlusBytesOverBandwidth) {
  Params p = small_gpt();
  p.dp = 4;
  p.B = 32;
  p.dp_gbps = 50;
  const Costs c = costs_for(p);
  EXPECT_EQ(c.unit, TimeUnit::Nanoseconds);
  // 50 TFLOP/s achieved is 50,000 FLOPs a ns.
  EXPECT_NEAR(static_cast<double>(c.f_of(0)), 2 * 27'917'287'424.0 / 5e4, 0.5);
  EXPECT_NEAR(static_cast<double>(c.w_of(1)), (2 * 25'769'803'776.0 + 2'097'152'000.0) / 5e4, 0.5);
  // 10 us + 2,097,152 bytes at 100 GB/s (bytes a ns).
  EXPECT_NEAR(static_cast<double>(c.send), 10'000 + 20'971.52, 0.5);
  // Ring all-reduce over 4 replicas: 2 x 3 / 4 of a layer's 25,192,448 bytes
  // at 50 GB/s, drawn as two flashes.
  EXPECT_NEAR(static_cast<double>(2 * c.exchange_flash), 1.5 * 25'192'448.0 / 50, 1.0);
  // A bandwidth of 0 is free communication.
  p.p2p_gbps = 0;
  p.dp_gbps = 0;
  EXPECT_EQ(costs_for(p).send, 0);
  EXPECT_EQ(costs_for(p).exchange_flash, 0);
}

TEST(CostModel, MeasuredTimesOverrideTheModelOneValueOrOnePerStage) {
  Params p = small_gpt();
  p.time_f = {1200, 1500};
  p.time_i = {2400};
  p.time_w = {700};
  ASSERT_TRUE(validate(p).empty());
  const Costs c = costs_for(p);
  EXPECT_EQ(c.f_of(0), 1'200'000);
  EXPECT_EQ(c.f_of(1), 1'500'000);
  EXPECT_EQ(c.w_of(0), 700'000);
  EXPECT_EQ(c.w_of(1), 700'000);
  EXPECT_EQ(c.i_of(1), 2'400'000);
}

TEST(CostModel, MemoryPerRankIsStaticPlusPeakActivationsAgainstTheGpu) {
  Params p = small_gpt();
  p.schedule = ScheduleKind::OneFOneB;
  p.gpu_memory_gib = 1;
  const SchedulePlan plan = make_plan(p);
  const ScheduleStats st = schedule_stats(p, plan);
  ASSERT_EQ(st.ranks.size(), 2u);
  // 1F1B on pp 2: rank 0 holds 2 microbatches at its peak, rank 1 one.
  const double stage0 = 2 * 77'594'624.0, stage1 = stage0 + 2 * (1'048'576.0 + 1'024'000.0);
  EXPECT_DOUBLE_EQ(st.ranks[0].peak_activation_bytes, 2 * stage0);
  EXPECT_DOUBLE_EQ(st.ranks[1].peak_activation_bytes, stage1);
  const double static_bytes = (2 * 12'596'224.0 + 1'024'000.0) * 16;
  EXPECT_DOUBLE_EQ(st.ranks[0].static_memory_bytes, static_bytes);
  EXPECT_DOUBLE_EQ(st.ranks[0].peak_memory_bytes, static_bytes + 2 * stage0);
  // 1 GiB: rank 0 needs 0.72 GiB, rank 1 0.54 GiB; at 0.6 GiB rank 0 is over.
  EXPECT_FALSE(st.ranks[0].over_memory);
  p.gpu_memory_gib = 0.6;
  const ScheduleStats tight = schedule_stats(p, plan);
  EXPECT_TRUE(tight.ranks[0].over_memory);
  EXPECT_FALSE(tight.ranks[1].over_memory);
  EXPECT_EQ(st.unit, TimeUnit::Nanoseconds);
  EXPECT_EQ(st.stages[1].rank, 1);
}

// Split backward: I frees what only it needs, W the rest. Under ZB-H1 a
// rank's activations fall in two steps per microbatch; a fused B frees all
// at once.
TEST(CostModel, SplitBackwardFreesInTwoParts) {
  Params p = small_gpt();
  p.vocab = 0;
  p.schedule = ScheduleKind::ZBH1;
  const SchedulePlan plan = make_plan(p);
  const auto memory = activation_memory(p, plan);
  const double stage = 2 * 77'594'624.0, kept = 2 * 14'680'064.0;
  bool saw_kept_only = false;
  for (const MemoryPoint& m : memory[1]) {
    const double left = std::fmod(m.bytes + 1, stage) - 1;  // what is not whole stage-microbatches
    if (std::abs(left - kept) < 1) saw_kept_only = true;
  }
  EXPECT_TRUE(saw_kept_only) << "after an I, only what W needs stays";
  EXPECT_EQ(memory[1].back().bytes, 0);
}

struct Shape {
  int p, m;
  double f, i, w;
};

// Stages of equal cost (measured times), instant sends, no replicas.
Params closed_form_params(ScheduleKind kind, const Shape& s) {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 128;
  p.schedule = kind;
  p.pp = s.p;
  p.microbatches = s.m;
  p.L = 2 * s.p;
  p.dp = 1;
  p.B = s.m;
  p.p2p_gbps = 0;
  p.time_f = {s.f};
  p.time_i = {s.i};
  p.time_w = {s.w};
  return p;
}

double makespan_us(const Params& p) { return static_cast<double>(make_plan(p).timing.makespan) / 1000; }

TEST(CostModel, MakespansHaveTheirClosedFormsWithInstantSendsAndEqualStages) {
  std::mt19937 rng(20261201);
  auto draw = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int n = 0; n < 40; ++n) {
    const int p = draw(2, 6);
    const int m = p * draw(1, 3) + draw(0, 2);
    const double f = draw(1, 9) * 100, i = draw(1, 9) * 100;
    const double w = std::min({f, i, static_cast<double>(draw(1, 9) * 100)});
    const Shape s{p, m, f, i, w};
    SCOPED_TRACE(::testing::Message() << "p " << p << " m " << m << " f " << f << " i " << i << " w " << w);
    // 1F1B and GPipe: (m + p - 1)(f + i + w).
    EXPECT_DOUBLE_EQ(makespan_us(closed_form_params(ScheduleKind::OneFOneB, s)), (m + p - 1) * (f + i + w));
    EXPECT_DOUBLE_EQ(makespan_us(closed_form_params(ScheduleKind::GPipe, s)), (m + p - 1) * (f + i + w));
    // ZB-H1 (Qi et al. 2024): m (f + i + w) + (p - 1)(f + i - w), for w <= f, i.
    EXPECT_DOUBLE_EQ(makespan_us(closed_form_params(ScheduleKind::ZBH1, s)), m * (f + i + w) + (p - 1) * (f + i - w));
    // ZB-V with equal passes c per stage (two stages a rank): 6 m c + (p - 1) c.
    if (m >= 2 * p) {
      const Shape v{p, m, f, f, f};
      EXPECT_DOUBLE_EQ(makespan_us(closed_form_params(ScheduleKind::ZBV, v)), 6 * m * f + (p - 1) * f);
    }
  }
}

TEST(CostModel, OneFOneBBubbleIsPMinusOneOverMWithInstantSends) {
  const Params p = closed_form_params(ScheduleKind::OneFOneB, {4, 16, 500, 500, 500});
  const ScheduleStats st = schedule_stats(p, make_plan(p));
  EXPECT_DOUBLE_EQ(st.bubble_idle_over_compute, 3.0 / 16.0);
}

// The notebook's memory is what its scene shows: in the weight phase each
// rank's stored bytes are exactly the visible activation faces of replica 0.
TEST(NotebookMemory, FollowsTheFacesTheSceneShows) {
  const Params p;  // the notebook's defaults
  const SchedulePlan plan = make_plan(p);
  const auto memory = activation_memory(p, plan);
  Scene scene(p);
  const Layout& l = scene.layout();
  const double rows = 48.0 / 2 / 12;
  const std::int64_t weight_start = plan.timing.per_rank[0].back().start - 11 * 4;  // 12 W of 4 frames
  int checked = 0;
  for (std::int64_t t = weight_start; t <= plan.timing.makespan; ++t) {
    scene.playhead().seek(static_cast<std::uint32_t>(t + 1));  // time t is frame t + 1
    for (int s = 0; s < p.pp; ++s) {
      double shown = 0;
      for (int mb = 0; mb < p.microbatches; ++mb) {
        if (scene.playhead().state(l.stage_input(0, s, mb)) != VisualState::Hidden) shown += rows * 8 * 2;
        for (int layer = 2 * s; layer < 2 * s + 2; ++layer) {
          if (scene.playhead().state(l.hidden(0, layer, mb)) != VisualState::Hidden) shown += rows * 16 * 2;
          if (scene.playhead().state(l.residual(0, layer, mb)) != VisualState::Hidden) shown += rows * 8 * 2;
        }
      }
      const auto& pts = memory[static_cast<std::size_t>(s)];
      auto it = std::upper_bound(pts.begin(), pts.end(), t, [](std::int64_t v, const MemoryPoint& m) { return v < m.time; });
      ASSERT_NE(it, pts.begin());
      EXPECT_DOUBLE_EQ(std::prev(it)->bytes, shown) << "rank " << s << " at frame " << t + 1;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  // Every microbatch keeps a face until the first layer's W1 reaches it: all
  // 12 stay until frame 205 on rank 0 (the old curve freed one every 4 frames from 171).
  const ScheduleStats st = schedule_stats(p, plan);
  EXPECT_EQ(st.ranks[0].peak_activations, 12 * 2);
}

TEST(NotebookStats, TheMakespanEndsWithTheLastActionNotTheStillFrames) {
  Params p;
  p.dp = 1;
  const SchedulePlan plan = make_plan(p);
  const ScheduleStats st = schedule_stats(p, plan);
  EXPECT_EQ(st.makespan, 215);
  for (const RankStats& r : st.ranks) EXPECT_EQ(r.last_end, 215);
  EXPECT_NEAR(st.bubble_idle_over_compute, 0.280, 0.0005);
  EXPECT_EQ(st.unit, TimeUnit::Frames);
}

// Real time: the animation samples the step at a frame length; each pass's
// steps spread over its span; the stage input turns green in its forward's
// first frame and the whole animation has about kAutoFrames frames.
TEST(RealTimeAnimation, PassesSpreadOverTheirSpanAtTheFrameLength) {
  Params p = small_gpt();
  p.dp = 2;
  p.B = 16;
  const SchedulePlan plan = make_plan(p);
  ASSERT_TRUE(plan.real_time());
  // 1, 2 or 5 x 10^k ns, showing the step in at most kAutoFrames frames.
  EXPECT_LE(static_cast<double>(plan.timing.makespan) / static_cast<double>(plan.frame_length), kAutoFrames);
  EXPECT_GT(static_cast<double>(plan.timing.makespan) / static_cast<double>(plan.frame_length), kAutoFrames / 5);
  Scene scene(p);
  EXPECT_EQ(static_cast<double>(scene.timeline().last_frame()), frame_count(p));
  const Layout& l = scene.layout();
  for (const auto& rank : plan.timing.per_rank) {
    for (const TimedAction& a : rank) {
      if (a.action.op != Op::F) continue;
      const Step& st = a.action.first;
      const auto frame = static_cast<std::uint32_t>(plan.frame_of(a.start));
      scene.playhead().seek(frame - 1);
      const VisualState before = scene.playhead().state(l.stage_input(1, st.stage, st.microbatch));
      scene.playhead().seek(frame);
      EXPECT_EQ(scene.playhead().state(l.stage_input(1, st.stage, st.microbatch)), VisualState::Green)
          << to_string(a.action) << " at frame " << frame;
      EXPECT_NE(before, VisualState::Green) << to_string(a.action);
    }
  }
  // --frame-us sets the rate: 10 us a frame is 10,000 ns.
  p.frame_us = 10;
  EXPECT_EQ(make_plan(p).frame_length, 10'000);
  p.frame_us = 1e-6;  // a frame a femtosecond: refused before anything is built
  const auto errors = validate(p);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().field, "frame_us");
}

TEST(RealUnitsRules, BadShapesAreRefusedNamingTheParameter) {
  struct Case {
    std::function<void(Params&)> edit;
    std::string field, says;
  };
  const std::vector<Case> cases = {
      {[](Params& p) { p.heads = 3; }, "heads", "multiple of heads"},
      {[](Params& p) { p.B = 6; }, "B", "multiple of dp x microbatches"},
      {[](Params& p) { p.mfu = 0; }, "mfu", "above 0 and at most 1"},
      {[](Params& p) { p.mfu = 1.5; }, "mfu", "above 0 and at most 1"},
      {[](Params& p) { p.gpu_tflops = -1; }, "gpu_tflops", "above 0"},
      {[](Params& p) { p.p2p_gbps = std::nan(""); }, "p2p_gbps", "finite"},
      {[](Params& p) { p.time_f = {100, 200, 300}; }, "time_f", "3 values, but there are 2 stages"},
      {[](Params& p) { p.time_i = {100, -2}; }, "time_i", "stage 1: time_i is -2"},
      {[](Params& p) {
         p.model = CostModel::Notebook;
         p.attention = 0;
         p.time_f = {100};
       },
       "time_i", "give --time-f, --time-i and --time-w together"},
      // A transformer's too: a measured F beside a modelled W mixes two clocks.
      {[](Params& p) {
         p.time_f = {100};
         p.time_i = {200};
       },
       "time_w", "give --time-f, --time-i and --time-w together"},
  };
  for (const Case& c : cases) {
    Params p = small_gpt();
    c.edit(p);
    const auto errors = validate(p);
    ASSERT_FALSE(errors.empty()) << c.field;
    EXPECT_EQ(errors.front().field, c.field);
    EXPECT_NE(errors.front().message.find(c.says), std::string::npos) << errors.front().message;
  }
}

TEST(PerStageLists, ReadAsTheCommandLineWritesThem) {
  std::string why;
  EXPECT_EQ(parse_per_stage("1200,1200,1500", why), (std::vector<double>{1200, 1200, 1500}));
  EXPECT_EQ(parse_per_stage(" 7.5 ", why), (std::vector<double>{7.5}));
  EXPECT_EQ(parse_per_stage("", why), (std::vector<double>{}));
  EXPECT_FALSE(parse_per_stage("1,,2", why));
  EXPECT_EQ(why, "item 2 is empty");
  EXPECT_FALSE(parse_per_stage("1,fast", why));
  EXPECT_EQ(why, "'fast' is not a number");
  EXPECT_FALSE(parse_per_stage("inf", why));
}

TEST(Lanes, FusedBackwardsAreOneBlockAndOverlappedPairsAreMarked) {
  Params p = closed_form_params(ScheduleKind::DualPipeV, {2, 4, 300, 200, 100});
  const auto lanes = make_lanes(make_plan(p));
  int overlapped = 0;
  for (const Lane& lane : lanes) {
    for (const LaneBlock& b : lane.compute) {
      if (b.overlapped) {
        ++overlapped;
        EXPECT_TRUE(b.kind == BlockKind::Forward || b.kind == BlockKind::Backward);
      }
    }
  }
  EXPECT_GT(overlapped, 0);
  EXPECT_EQ(overlapped % 2, 0) << "a pair is two halves";
}

}  // namespace

namespace {

// Issue 22's configuration: a 32-layer transformer on pp 8, zb-h1.
Params bound_case() {
  Params p = pipescope::testing::gpt(4096, 32, 4096, 32, 8, 16);
  p.schedule = ScheduleKind::ZBH1;
  return p;
}

}  // namespace

TEST(CostBounds, APassPastAnHourIsRefusedNamingTheFlagThatDrivesIt) {
  struct Case {
    std::function<void(Params&)> edit;
    std::string field, says;
  };
  // Each once overflowed the simulation's integer nanoseconds into negative
  // busy times, a 3 ms step or a faster step than the default's.
  const std::vector<Case> cases = {
      {[](Params& p) { p.seq_len = 2147483648; }, "seq_len", "lower seq_len"},
      {[](Params& p) { p.p2p_gbps = 1e-9; }, "p2p_gbps", "raise p2p_gbps"},
      {[](Params& p) { p.gpu_tflops = 1e-300; }, "gpu_tflops", "raise gpu_tflops"},
      {[](Params& p) { p.vocab = std::int64_t{1} << 62; }, "vocab", "lower vocab"},
      {[](Params& p) { p.dp_gbps = 1e-12; p.dp = 2; p.B = 32; }, "dp_gbps", "raise dp_gbps"},
  };
  for (const Case& c : cases) {
    Params p = bound_case();
    ASSERT_TRUE(validate(p).empty());
    c.edit(p);
    const auto errors = validate(p);
    ASSERT_EQ(errors.size(), 1u) << c.field;
    EXPECT_EQ(errors[0].field, c.field) << errors[0].message;
    EXPECT_NE(errors[0].message.find("may take at most an hour"), std::string::npos) << errors[0].message;
    EXPECT_NE(errors[0].message.find(c.says), std::string::npos) << errors[0].message;
  }
}

TEST(CostBounds, TheLongestAcceptedPassSimulatesWithoutOverflow) {
  // Just under the bound: seq_len where the forward is just under an hour
  // (F grows with s and s^2), found by bisection on the model itself.
  Params p = bound_case();
  std::int64_t lo = 4096, hi = std::int64_t{1} << 31;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    p.seq_len = mid;
    (validate(p).empty() ? lo : hi) = mid;
  }
  p.seq_len = lo;
  ASSERT_TRUE(validate(p).empty());
  const RealCostNanoseconds ns = real_cost_nanoseconds(p);
  double longest = 0;
  for (const auto& s : ns.per_stage) longest = std::max({longest, s.f, s.i, s.w, ns.send});
  EXPECT_GT(longest, 0.9 * kMaxPassNanoseconds);  // the bound, not something else, stopped it
  const SchedulePlan plan = make_plan(p);
  // Every figure stays positive and no rank is busier than the step is long.
  EXPECT_GT(plan.timing.makespan, 0);
  for (const auto& rank : plan.timing.per_rank) {
    std::int64_t busy = 0;
    for (const TimedAction& a : rank) {
      EXPECT_GT(a.length, 0);
      busy += a.length;
    }
    EXPECT_LE(busy, plan.timing.makespan);
  }
}

TEST(CostBounds, AStepPastThirtyDaysIsRefusedNamingItsDriver) {
  Params p = bound_case();
  p.time_f = {3.0e9};  // 50 minutes a pass: each is allowed, 16 x 8 x 3 of them are not
  p.time_i = {3.0e9};
  p.time_w = {3.0e9};
  p.microbatches = 1024;
  p.B = 1024;
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("a step may take at most 30 days"), std::string::npos) << errors[0].message;
  // Any one time put back at the model's leaves it over: the count of passes drives it.
  EXPECT_EQ(errors[0].field, "microbatches");
  EXPECT_NE(errors[0].message.find("lower microbatches"), std::string::npos) << errors[0].message;
}

TEST(CostBounds, LimitsStateBothBoundsAndAdviceIsAccepted) {
  Params p = bound_case();
  p.gpu_tflops = 1e10;
  ASSERT_EQ(validate(p).size(), 1u);
  EXPECT_EQ(validate(p)[0].message, "gpu_tflops is 1e+10, but it must be above 0 and at most 1e+09");
  // A refused frame length says the least that works, in a few digits, and that value is accepted.
  p = bound_case();
  p.frame_us = 1e-300;
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 1u);
  const std::string& m = errors[0].message;
  EXPECT_EQ(m.find("0000000000"), std::string::npos) << m;
  const auto at = m.find("give --frame-us ");
  ASSERT_NE(at, std::string::npos) << m;
  p.frame_us = std::stod(m.substr(at + 16));
  EXPECT_TRUE(validate(p).empty()) << validate(p)[0].message;
}

TEST(CostBounds, TheMemoryCapAdviceIsAcceptedAsGiven) {
  Params p = bound_case();
  p.schedule = ScheduleKind::Auto;
  p.gpu_memory_gib = 1;
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 1u);
  const std::string& m = errors[0].message;
  const auto at = m.find("give --gpu-memory-gib ");
  ASSERT_NE(at, std::string::npos) << m;
  p.gpu_memory_gib = std::stod(m.substr(at + 22));
  EXPECT_TRUE(validate(p).empty()) << m;
}
