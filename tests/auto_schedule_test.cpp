// --schedule auto: on held-out transformer configurations with the cap
// halfway between ZB-H1's and ZB-H2's peaks, and over random shapes, costs
// and caps, the order found is valid, fits and is never slower than the best
// zoo schedule that fits. The zoo's figures come from make_plan and
// schedule_stats of each zoo schedule, as `pipescope stats` gives them.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/auto_milp.hpp"
#include "pipescope/schedule/auto_schedule.hpp"
#include "pipescope/schedule/program_csv.hpp"
#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

struct Figures {
  std::int64_t makespan = 0;
  double peak = 0;  // the highest rank's peak memory, bytes
  bool fits = false;
};

Figures figures(const Params& p) {
  const SchedulePlan plan = make_plan(p);
  const ScheduleStats st = schedule_stats(p, plan);
  Figures f{st.makespan, 0, true};
  for (const RankStats& r : st.ranks) {
    f.peak = std::max(f.peak, r.peak_memory_bytes);
    f.fits = f.fits && !r.over_memory;
  }
  return f;
}

Figures with(Params p, ScheduleKind kind) {
  p.schedule = kind;
  return figures(p);
}

// The best zoo schedule that fits these parameters' shape and cap.
std::optional<Figures> best_zoo_that_fits(const Params& p) {
  std::optional<Figures> best;
  for (const ScheduleInfo& info : schedule_catalog()) {
    if (info.kind == ScheduleKind::Auto || info.kind == ScheduleKind::Notebook) continue;
    Params z = p;
    z.schedule = info.kind;
    z.chunks = p.stages_per_rank();  // the same shape: stages per rank as auto's
    if (schedule_placement(info.kind, p.stages_per_rank()) != schedule_placement(ScheduleKind::Auto, p.stages_per_rank())) continue;
    if (!validate(z).empty()) continue;  // this shape is not one it runs
    const Figures f = figures(z);
    if (f.fits && (!best || f.makespan < best->makespan)) best = f;
  }
  return best;
}

Params transformer(std::int64_t h, std::int64_t heads, std::int64_t seq, std::int64_t L, std::int64_t pp,
                   std::int64_t m) {
  return testing::gpt(h, heads, seq, L, pp, m);
}

// The order auto found, written as PyTorch's CSV and read back, runs to the same makespan.
void expect_replays(const Params& p) {
  const SchedulePlan plan = make_plan(p);
  Params replay = p;
  replay.schedule_file = schedule_from_csv("auto.csv", to_csv(plan.program));
  EXPECT_EQ(make_plan(replay).timing.makespan, plan.timing.makespan);
}

TEST(AutoSchedule, HeldOutConfigurationsWithTheCapHalfwayBetweenZbH1AndZbH2) {
  const Params cases[] = {transformer(2048, 16, 2048, 24, 4, 12), transformer(5120, 40, 1024, 40, 8, 16),
                          transformer(3072, 24, 4096, 32, 4, 8), transformer(4096, 32, 2048, 48, 6, 18)};
  for (Params p : cases) {
    SCOPED_TRACE(::testing::Message() << "h " << p.d_model << " pp " << p.pp << " m " << p.microbatches);
    const Figures h1 = with(p, ScheduleKind::ZBH1), h2 = with(p, ScheduleKind::ZBH2);
    ASSERT_LT(h1.peak, h2.peak);
    p.gpu_memory_gib = (h1.peak + h2.peak) / 2 / kGiB;
    p.schedule = ScheduleKind::Auto;
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const Figures a = figures(p);
    EXPECT_TRUE(a.fits);
    EXPECT_LE(a.peak, p.gpu_memory_gib * kGiB);
    const auto zoo = best_zoo_that_fits(p);
    ASSERT_TRUE(zoo);
    EXPECT_LE(a.makespan, zoo->makespan);
    // At least a quarter of the way from ZB-H1's makespan to ZB-H2's.
    if (h2.makespan < h1.makespan) {
      EXPECT_LE(static_cast<double>(a.makespan),
                static_cast<double>(h1.makespan) - 0.25 * static_cast<double>(h1.makespan - h2.makespan))
          << "auto " << a.makespan << ", zb-h1 " << h1.makespan << ", zb-h2 " << h2.makespan;
    }
    expect_replays(p);
  }
}

TEST(AutoSchedule, RandomShapesCostsAndCapsGiveAValidOrderThatFitsAndBeatsTheZoo) {
  std::mt19937 rng(2026);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int pp = pick(2, 8), m = pick(1, 32), chunks = pick(1, 4) == 4 ? 2 : 1;
    Params p = transformer(256 * pick(1, 4), 2, 128 * pick(1, 8), pp * chunks * pick(1, 2), pp, m);
    p.chunks = chunks;
    p.heads = 2;
    // Costs of their own: every stage's F, I and W drawn apart (microseconds).
    for (int s = 0; s < pp * chunks; ++s) {
      p.time_f.push_back(pick(50, 400));
      p.time_i.push_back(pick(50, 400));
      p.time_w.push_back(pick(20, 400));
    }
    p.schedule = ScheduleKind::Auto;
    const std::vector<double> least = least_auto_memory_bytes(p);
    const double floor = *std::max_element(least.begin(), least.end());
    // Caps from the least that fits to well past what anything holds.
    p.gpu_memory_gib = floor * std::uniform_real_distribution<double>(1.0, 3.0)(rng) / kGiB;
    SCOPED_TRACE(::testing::Message() << "pp " << pp << " m " << m << " chunks " << chunks << " cap "
                                      << p.gpu_memory_gib << " GiB");
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const SchedulePlan plan = make_plan(p);
    // Valid: every pass once, each on its stage's rank, and it runs (make_plan simulated it).
    EXPECT_NO_THROW(parse_schedule_csv(to_csv(plan.program)));
    const Figures a = figures(p);
    EXPECT_TRUE(a.fits) << "peak " << a.peak / kGiB << " GiB";
    if (const auto zoo = best_zoo_that_fits(p)) {
      EXPECT_LE(a.makespan, zoo->makespan);
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);  // most draws leave some zoo schedule that fits to beat
}

TEST(AutoSchedule, ACapUnderWhatAnyOrderNeedsIsRefusedNamingTheLeast) {
  Params p = transformer(4096, 32, 2048, 32, 4, 8);
  p.schedule = ScheduleKind::Auto;
  p.gpu_memory_gib = 20;
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "gpu_memory_gib");
  EXPECT_NE(errors[0].message.find("gpu_memory_gib is 20"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("needs at least"), std::string::npos) << errors[0].message;
  // The least it names fits.
  const std::vector<double> least = least_auto_memory_bytes(p);
  p.gpu_memory_gib = *std::max_element(least.begin(), least.end()) / kGiB * 1.0001;
  EXPECT_TRUE(validate(p).empty());
  EXPECT_TRUE(figures(p).fits);
}

// Issue 22: at pp 128 the search ran 76 s without a word. Past its time
// bound it ends with the best order found so far, and it always has one:
// a bound already past still yields a valid order that fits.
TEST(AutoSchedule, ATimeBoundEndsTheSearchWithTheBestOrderSoFar) {
  Params p = transformer(4096, 32, 2048, 32, 4, 8);
  p.schedule = ScheduleKind::Auto;
  const std::vector<double> least = least_auto_memory_bytes(p);
  p.gpu_memory_gib = *std::max_element(least.begin(), least.end()) * 1.05 / kGiB;  // no zoo schedule fits
  const AutoProblem pb = auto_problem(p);
  const AutoResult unbounded = auto_schedule(pb);
  EXPECT_FALSE(unbounded.stopped_at_deadline);
  for (const AutoCandidate& z : unbounded.zoo) ASSERT_FALSE(z.fits) << z.name << ": the greedy tier must be needed";
  const AutoResult past = auto_schedule(pb, {.deadline = std::chrono::steady_clock::now()});
  EXPECT_TRUE(past.stopped_at_deadline);
  EXPECT_TRUE(past.best.fits);
  EXPECT_LT(past.evaluated, unbounded.evaluated);
  EXPECT_GE(past.best.makespan, unbounded.best.makespan);  // the search went no further than its first answer
  EXPECT_EQ(simulate(past.best.program, pb.costs).makespan, past.best.makespan);
  // Through the parameters: a bound of a microsecond is refused nowhere and still answers.
  p.auto_seconds = 1e-6;
  ASSERT_TRUE(validate(p).empty());
  const SchedulePlan plan = make_plan(p);
  ASSERT_TRUE(plan.auto_result);
  EXPECT_TRUE(plan.auto_result->stopped_at_deadline);
  EXPECT_TRUE(plan.auto_result->best.fits);
  p.auto_seconds = 0;
  ASSERT_EQ(validate(p).size(), 1u);
  EXPECT_EQ(validate(p)[0].message, "auto_seconds is 0, but it must be above 0 and at most 3600");
}

TEST(AutoSchedule, SaysWhatBinds) {
  Params p = transformer(4096, 32, 2048, 32, 4, 8);
  p.schedule = ScheduleKind::Auto;
  const SchedulePlan roomy = make_plan(p);  // 80 GiB: ZB-H2's 2p-1 in flight fit
  ASSERT_TRUE(roomy.auto_result);
  EXPECT_EQ(roomy.auto_result->binding_rank, -1);
  // Room for little more than one microbatch a stage: memory binds, on the first rank (it holds the most).
  const std::vector<double> least = least_auto_memory_bytes(p);
  p.gpu_memory_gib = *std::max_element(least.begin(), least.end()) * 1.05 / kGiB;
  const SchedulePlan tight = make_plan(p);
  EXPECT_EQ(tight.auto_result->binding_rank, 0);
  EXPECT_LT(tight.auto_result->uncapped_makespan, tight.timing.makespan);
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

TEST(AutoMilp, TheLpHasAStartPerPassAndABinaryPerPairAndReadsBackSolutionsOnly) {
  Params p = transformer(1024, 8, 512, 4, 2, 2);
  p.schedule = ScheduleKind::Auto;
  const AutoProblem pb = auto_problem(p);
  const std::string lp = auto_milp_lp(pb, 1'000'000'000);
  // 2 ranks x 2 microbatches x F, I, W: 6 passes a rank, 15 pairs a rank.
  EXPECT_NE(lp.find(" s11 >= 0"), std::string::npos);
  EXPECT_EQ(lp.find(" s12 >= 0"), std::string::npos);
  EXPECT_NE(lp.find(" x29\n"), std::string::npos);
  EXPECT_EQ(lp.find(" x30\n"), std::string::npos);
  EXPECT_NE(lp.find("c <= 1000000"), std::string::npos);  // only orders better than the heuristic's
  EXPECT_THROW(read_glpsol_solution(pb, "hello"), MilpError);
  EXPECT_FALSE(read_glpsol_solution(pb, "Status:     INTEGER UNDEFINED\n"));
  EXPECT_THROW(read_glpsol_solution(pb, "Status:     INTEGER OPTIMAL\n"), MilpError);  // no starts
}

}  // namespace
}  // namespace pipescope
