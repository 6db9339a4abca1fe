// zip and chain must behave as Python's zip() and itertools.chain() over
// generators, down to which bodies have run when one of them ends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipescope/animate/steps.hpp"

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

// Logs "<name><i>" at each burst, then waits `gap` steps: by IdleFor (free)
// or by plain yields (the reference).
Steps bursty(std::string& log, char name, int bursts, int gap, bool free_idle) {
  for (int i = 0; i < bursts; ++i) {
    log += name;
    log += std::to_string(i);
    co_yield step;
    if (free_idle) {
      co_yield IdleFor{gap};
    } else {
      for (int k = 0; k < gap; ++k) co_yield step;
    }
  }
  log += name;
  log += '.';
}

// What the consumer sees each step: the log so far, step by step.
std::vector<std::string> trace(Steps s, std::string& log) {
  std::vector<std::string> out;
  while (s.next()) out.push_back(log);
  out.push_back(log);
  return out;
}

TEST(Steps, IdleForIsPlainYieldsInZipAndChain) {
  for (bool in_chain : {false, true}) {
    std::vector<std::string> traces[2];
    for (int free_idle = 0; free_idle < 2; ++free_idle) {
      std::string log;
      std::vector<Steps> gens;
      gens.push_back(bursty(log, 'a', 3, 2, free_idle));
      gens.push_back(bursty(log, 'b', 2, 5, free_idle));
      gens.push_back(bursty(log, 'c', 12, 0, free_idle));
      gens.push_back(bursty(log, 'd', 1, 9, free_idle));
      Steps top = zip(std::move(gens));
      if (in_chain) {
        std::vector<Steps> parts;
        parts.push_back(bursty(log, 'x', 1, 3, free_idle));
        parts.push_back(std::move(top));
        parts.push_back(bursty(log, 'y', 2, 1, free_idle));
        top = chain(std::move(parts));
      }
      traces[free_idle] = trace(std::move(top), log);
    }
    EXPECT_EQ(traces[1], traces[0]) << (in_chain ? "in chain" : "in zip");
    EXPECT_GT(traces[0].size(), 8u);
  }
}

TEST(Steps, ZipWhoseGeneratorsAllIdleStillCountsEveryStep) {
  std::string log;
  std::vector<Steps> gens;
  gens.push_back(bursty(log, 'a', 2, 1000, true));
  gens.push_back(bursty(log, 'b', 2, 700, true));
  Steps z = zip(std::move(gens));
  // b ends first: 2 bursts of 1 + 700 steps, then its end.
  EXPECT_EQ(drain(z), 2 * 701);
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
