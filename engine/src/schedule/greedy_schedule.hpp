#pragma once
// Inside auto-schedule: one greedy list scheduler. Ranks decide in time
// order: at its free time a rank runs the best ready action by its rule, or
// waits for the next arrival. A forward that would exceed the rank's memory
// budget, or its in-flight limit, waits.

#include <chrono>
#include <optional>
#include <vector>

#include "pipescope/schedule/auto_schedule.hpp"

namespace pipescope::detail {

struct GreedyRule {
  bool prefer_i = true;          // an I before an F when both are ready
  bool eager_w = false;          // W right after its I; else only to fill a bubble or free memory
  bool later_stage_first = true; // in a V: the forward of the rank's later stage first
  // Per rank: stage-microbatches it may have in flight (F done, I not yet),
  // as 1F1B counts them (W's lag is memory's to bound); empty: no limit.
  std::vector<int> hold;
};

struct GreedyOrder {
  Program program;
  // The step's length as the greedy timed it: simulate()'s within a few ns
  // a decision (it models no data-parallel exchange), to rank rules cheaply.
  std::int64_t estimate = 0;
};

// nullopt when the rule deadlocks, or past `deadline` (checked every few
// thousand decisions: one greedy run at pp 128 takes about a second).
std::optional<GreedyOrder> greedy(const AutoProblem& problem, const GreedyRule& rule,
                                  std::chrono::steady_clock::time_point deadline =
                                      std::chrono::steady_clock::time_point::max());

}  // namespace pipescope::detail
