#include <gtest/gtest.h>

#include <random>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/animate/timeline.hpp"
#include "test_params.hpp"

namespace pipescope {
namespace {

// Every frame's full state, by stepping forward from frame 0.
std::vector<std::vector<VisualState>> states_by_stepping(const Timeline& t) {
  std::vector<std::vector<VisualState>> out;
  Playhead ph(t);
  out.push_back(ph.state());
  while (ph.step_forward()) out.push_back(ph.state());
  return out;
}

class TimelineTest : public ::testing::TestWithParam<Params> {};

TEST_P(TimelineTest, SteppingBackFromTheEndReproducesEveryFrame) {
  const Layout layout(GetParam());
  const Timeline t(layout, *make_notebook_schedule());
  const auto forward = states_by_stepping(t);
  ASSERT_EQ(forward.size(), t.last_frame() + 1u);
  Playhead ph(t);
  ph.seek(t.last_frame());
  for (std::uint32_t k = t.last_frame();; --k) {
    ASSERT_EQ(ph.frame(), k);
    ASSERT_EQ(ph.state(), forward[k]) << "frame " << k;
    if (!ph.step_back()) break;
  }
  EXPECT_EQ(ph.frame(), 0u);
  EXPECT_EQ(ph.state(), layout.initial_state());
}

TEST_P(TimelineTest, SeekingToRandomFramesEqualsSteppingThere) {
  const Layout layout(GetParam());
  const Timeline t(layout, *make_notebook_schedule());
  const auto forward = states_by_stepping(t);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::uint32_t> frame(0, t.last_frame());
  Playhead ph(t);
  for (int i = 0; i < 300; ++i) {
    const std::uint32_t k = frame(rng);
    ph.seek(k);
    ASSERT_EQ(ph.frame(), k);
    ASSERT_EQ(ph.state(), forward[k]) << "seek #" << i << " to frame " << k;
    // Mix in single steps so seeks start from arbitrary places.
    if (i % 3 == 0) {
      ph.step_forward();
      ASSERT_EQ(ph.state(), forward[ph.frame()]);
    }
  }
}

TEST_P(TimelineTest, EveryFrameChangesSomethingOrIsAnIdleFrame) {
  const Layout layout(GetParam());
  const Timeline t(layout, *make_notebook_schedule());
  // Recorded changes are net: before != after, and before is what was there.
  Playhead ph(t);
  std::vector<std::uint32_t> idle;
  for (std::uint32_t k = 1; k <= t.last_frame(); ++k) {
    if (t.changes_into(k).empty()) idle.push_back(k);
    for (const Change& c : t.changes_into(k)) {
      ASSERT_NE(c.before, c.after);
      ASSERT_EQ(ph.state(c.object), c.before) << "frame " << k;
    }
    ph.step_forward();
  }
  // The idle frames are the notebook's own: frame 1, the forward phase's
  // opening step, and its idle(20) at the end (the first of which may still
  // hold the last writes), nothing else.
  ASSERT_GE(idle.size(), 20u);
  EXPECT_EQ(idle.front(), 1u);
  const std::size_t tail = idle.size() - 1;
  EXPECT_TRUE(tail == 19 || tail == 20) << tail << " still frames at the end";
  for (std::size_t i = 1; i < idle.size(); ++i) {
    EXPECT_EQ(idle[i], t.last_frame() - (idle.size() - 1 - i)) << "an idle frame inside the animation: " << idle[i];
  }
}

INSTANTIATE_TEST_SUITE_P(VariedParams, TimelineTest, ::testing::ValuesIn(testing::varied_params()),
                         [](const ::testing::TestParamInfo<Params>& info) {
                           const Params& p = info.param;
                           return "dp" + std::to_string(p.dp) + "_pp" + std::to_string(p.pp) + "_L" +
                                  std::to_string(p.L) + "_mb" + std::to_string(p.microbatches);
                         });

TEST(Timeline, KeyframesBoundTheWorkOfASeek) {
  Params p;
  p.microbatches = 40;
  const Layout layout(p);
  const Timeline t(layout, *make_notebook_schedule());
  EXPECT_GT(t.keyframe_count(), 1u);
  for (std::uint32_t k = 0; k <= t.last_frame(); ++k) {
    const auto& key = t.keyframe_at_or_before(k);
    EXPECT_LE(key.frame, k);
    // No more than about one object count of changes from the keyframe to any frame
    // (plus the frame that crossed the threshold).
    EXPECT_LE(t.changes_between(key.frame, k), std::max<std::size_t>(t.object_count(), 1024) +
                                                   t.changes_between(k == 0 ? 0 : k - 1, k));
  }
}

TEST(Timeline, SeekPastTheEndIsRefused) {
  const Layout layout(Params{});
  const Timeline t(layout, *make_notebook_schedule());
  Playhead ph(t);
  EXPECT_THROW(ph.seek(t.last_frame() + 1), std::out_of_range);
  EXPECT_EQ(ph.frame(), 0u);
  EXPECT_FALSE(ph.step_back());
  ph.seek(t.last_frame());
  EXPECT_FALSE(ph.step_forward());
}

TEST(Timeline, DirtyListNamesWhatChanged) {
  const Layout layout(Params{});
  const Timeline t(layout, *make_notebook_schedule());
  Playhead ph(t);
  EXPECT_TRUE(ph.take_changes().everything);  // a fresh playhead uploads everything
  ph.seek(40);
  ph.take_changes();
  ph.step_forward();
  const auto dirty = ph.take_changes();
  EXPECT_FALSE(dirty.everything);
  ASSERT_EQ(dirty.objects.size(), t.changes_into(41).size());
  for (std::size_t i = 0; i < dirty.objects.size(); ++i) EXPECT_EQ(dirty.objects[i], t.changes_into(41)[i].object);
}

TEST(Timeline, PhasesRunInTheNotebooksOrder) {
  const Layout layout(Params{});
  const Timeline t(layout, *make_notebook_schedule());
  EXPECT_EQ(t.phase(0), Phase::Setup);
  EXPECT_EQ(t.phase(1), Phase::Forward);
  EXPECT_EQ(t.phase(84), Phase::Forward);  // the forward zip yields 84 frames
  EXPECT_EQ(t.phase(85), Phase::BackwardActivation);
  EXPECT_EQ(t.phase(t.last_frame()), Phase::Done);
  for (std::uint32_t k = 1; k <= t.last_frame(); ++k) EXPECT_LE(t.phase(k - 1), t.phase(k)) << k;

  const auto spans = phase_spans(t);
  ASSERT_EQ(spans.size(), 6u);  // setup, forward, backward x2, exchange, done
  EXPECT_EQ(spans[1].phase, Phase::Forward);
  EXPECT_EQ(spans[1].first, 1u);
  EXPECT_EQ(spans[1].last, 84u);
  EXPECT_EQ(spans[2].first, 85u);
  EXPECT_EQ(spans.back().last, t.last_frame());
  EXPECT_EQ(spans.back().last - spans.back().first + 1, 20u) << "the notebook's 20 still frames";
}

}  // namespace
}  // namespace pipescope
