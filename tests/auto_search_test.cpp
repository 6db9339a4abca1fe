// The explorer's auto-schedule worker: off the UI thread it makes the
// makespan-over-memory curve and a longer search, wakes the window as
// results come, and stops when asked (or when destroyed).

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>

#include "explorer/auto_search.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "support.hpp"

namespace pipescope::app {
namespace {

Params mid_size() {
  Params p = testing::gpt(4096, 32, 2048, 32, 8, 16);
  p.schedule = ScheduleKind::Auto;
  p.gpu_memory_gib = 20.24;  // 1.3 x the least that fits: memory binds
  return p;
}

bool wait_until_done(const AutoSearch& s) {
  for (int i = 0; i < 600; ++i) {
    if (!s.snapshot().running) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(AutoSearch, MakesTheCurveAndOffersItsBestOrderWhenItIsFaster) {
  const Params p = mid_size();
  const SchedulePlan plan = make_plan(p);
  std::atomic<int> wakes{0};
  AutoSearch search([&] { ++wakes; });
  // Any order beats a current plan that never ends: the search's best is offered.
  search.start(p, std::numeric_limits<std::int64_t>::max());
  ASSERT_TRUE(wait_until_done(search));
  const AutoSearch::Snapshot s = search.snapshot();
  ASSERT_GE(s.curve.size(), 6u);
  EXPECT_GE(wakes.load(), static_cast<int>(s.curve.size()));
  // By cap, from the least that fits upwards; more memory never makes it slower by much
  // (a heuristic), and the roomiest cap is much faster than the tightest.
  for (std::size_t i = 1; i < s.curve.size(); ++i) EXPECT_GT(s.curve[i].cap_gib, s.curve[i - 1].cap_gib);
  EXPECT_LT(s.curve.back().makespan, s.curve.front().makespan);
  EXPECT_GT(s.evaluated, 1000);
  ASSERT_TRUE(s.better.has_value());
  EXPECT_TRUE(s.better->fits);
  // What it offers is what the simulator makes of that order, and no slower
  // than the tightest cap's point of the curve (the same cap or less room).
  EXPECT_EQ(simulate(s.better->program, plan.costs).makespan, s.better->makespan);
  EXPECT_LE(s.better->makespan, s.curve.front().makespan);
}

TEST(AutoSearch, OffersNothingWhenNoOrderIsFasterThanTheCurrentOne) {
  const Params p = mid_size();
  AutoSearch search([] {});
  search.start(p, 1);  // a current plan of 1 ns: nothing is faster
  ASSERT_TRUE(wait_until_done(search));
  const AutoSearch::Snapshot s = search.snapshot();
  EXPECT_GT(s.evaluated, 0);
  EXPECT_FALSE(s.better.has_value());
}

TEST(AutoSearch, StopsWhenAskedAndDoesNothingForOtherSchedules) {
  Params p = mid_size();
  std::atomic<int> wakes{0};
  AutoSearch search([&] { ++wakes; });
  search.start(p, make_plan(p).timing.makespan);
  search.stop();  // at once: the curve alone takes many auto-schedule runs
  const AutoSearch::Snapshot s = search.snapshot();
  EXPECT_FALSE(s.running);
  EXPECT_LT(s.curve.size(), static_cast<std::size_t>(AutoSearch::kCurvePoints));
  EXPECT_EQ(s.evaluated, 0);  // the longer search never started
  const int wakes_at_stop = wakes.load();
  p.schedule = ScheduleKind::ZBH1;
  search.start(p, 0);
  EXPECT_FALSE(search.snapshot().running);
  EXPECT_EQ(wakes.load(), wakes_at_stop);  // the stopped worker is gone: nothing wakes the window
}

}  // namespace
}  // namespace pipescope::app
