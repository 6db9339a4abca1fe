// zip and chain must behave as Python's zip() and itertools.chain() over
// generators, down to which bodies have run when one of them ends.
#include <gtest/gtest.h>

#include <string>

#include "pipescope/steps.hpp"

namespace pipescope {
namespace {

// A generator that logs "<name><i>" before its i-th yield and "<name>." after its last.
Steps logged(std::string& log, char name, int yields) {
  for (int i = 0; i < yields; ++i) {
    log += name;
    log += std::to_string(i);
    co_yield step;
  }
  log += name;
  log += '.';
}

int drain(Steps& s) {
  int n = 0;
  while (s.next()) ++n;
  return n;
}

TEST(Steps, NothingRunsBeforeTheFirstNext) {
  std::string log;
  Steps s = logged(log, 'a', 2);
  EXPECT_EQ(log, "");
  EXPECT_TRUE(s.next());
  EXPECT_EQ(log, "a0");
}

TEST(Steps, CodeAfterTheLastYieldRunsOnTheCallThatEnds) {
  std::string log;
  Steps s = logged(log, 'a', 1);
  EXPECT_TRUE(s.next());
  EXPECT_EQ(log, "a0");
  EXPECT_FALSE(s.next());
  EXPECT_EQ(log, "a0a.");
  EXPECT_FALSE(s.next());  // exhausted stays exhausted
  EXPECT_EQ(log, "a0a.");
}

TEST(Steps, ZipStopsAtTheFirstExhaustedLeavingEarlierOnesAdvanced) {
  // Python: zip(a, b) with a longer than b advances a once more, then stops
  // without touching anything after b.
  std::string log;
  std::vector<Steps> gens;
  gens.push_back(logged(log, 'a', 3));
  gens.push_back(logged(log, 'b', 1));
  gens.push_back(logged(log, 'c', 3));
  Steps z = zip(std::move(gens));
  EXPECT_EQ(drain(z), 1);
  EXPECT_EQ(log, "a0b0c0a1b.");
}

TEST(Steps, ZipOfNothingIsEmpty) {
  Steps z = zip({});
  EXPECT_FALSE(z.next());
}

TEST(Steps, ChainMovesOnWithinTheSameStep) {
  std::string log;
  std::vector<Steps> gens;
  gens.push_back(logged(log, 'a', 1));
  gens.push_back(logged(log, 'b', 2));
  Steps c = chain(std::move(gens));
  EXPECT_TRUE(c.next());
  EXPECT_EQ(log, "a0");
  EXPECT_TRUE(c.next());  // a's tail and b's first step are one step
  EXPECT_EQ(log, "a0a.b0");
  EXPECT_TRUE(c.next());
  EXPECT_FALSE(c.next());
  EXPECT_EQ(log, "a0a.b0b1b.");
}

TEST(Steps, IdleYieldsExactlyN) {
  Steps i = idle(5);
  EXPECT_EQ(drain(i), 5);
  Steps none = idle(0);
  EXPECT_EQ(drain(none), 0);
}

Steps throws_on_second() {
  co_yield step;
  throw std::runtime_error("boom");
}

TEST(Steps, ExceptionsReachTheCaller) {
  Steps s = throws_on_second();
  EXPECT_TRUE(s.next());
  EXPECT_THROW(s.next(), std::runtime_error);
}

}  // namespace
}  // namespace pipescope
