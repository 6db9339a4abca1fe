#include <gtest/gtest.h>

#include "pipescope/animate/playback.hpp"

namespace pipescope {
namespace {

TEST(Playback, PlaysAtItsSpeedAndLoops) {
  TimelineView v;
  v.last = 10;
  EXPECT_FALSE(v.tick(1.0)) << "paused: nothing moves";
  v.toggle_play();
  v.speed = 4.0f;
  EXPECT_FALSE(v.tick(0.2));  // 0.8 of a frame
  EXPECT_TRUE(v.tick(0.1));   // 1.2 frames in all
  EXPECT_EQ(v.frame, 1u);
  EXPECT_TRUE(v.tick(2.5));   // 10 more: 11 wraps to 0
  EXPECT_EQ(v.frame, 0u);
  EXPECT_TRUE(v.playing);
}

TEST(Playback, StopsAtTheEndWithoutLoop) {
  TimelineView v;
  v.last = 10;
  v.loop = false;
  v.seek(8);
  v.toggle_play();
  EXPECT_TRUE(v.tick(1.0));  // 15 frames at 15 fps
  EXPECT_EQ(v.frame, 10u);
  EXPECT_FALSE(v.playing);
  v.toggle_play();  // from the end: starts over
  EXPECT_EQ(v.frame, 0u);
  EXPECT_TRUE(v.playing);
}

TEST(Playback, StepPausesAndStaysInRange) {
  TimelineView v;
  v.last = 5;
  v.toggle_play();
  v.step(-1);
  EXPECT_FALSE(v.playing);
  EXPECT_EQ(v.frame, 0u);
  v.step(3);
  EXPECT_EQ(v.frame, 3u);
  v.step(100);
  EXPECT_EQ(v.frame, 5u);
  v.to_start();
  EXPECT_EQ(v.frame, 0u);
  v.to_end();
  EXPECT_EQ(v.frame, 5u);
}

TEST(Playback, RebaseKeepsTheRelativePoint) {
  TimelineView v;
  v.last = 259;
  v.seek(130);
  v.rebase(1000);
  EXPECT_EQ(v.frame, 502u);  // 130 / 259 of the way
  v.rebase(0);
  EXPECT_EQ(v.frame, 0u);
}

}  // namespace
}  // namespace pipescope
