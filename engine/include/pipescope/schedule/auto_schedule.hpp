#pragma once
// Auto-schedule: the fastest per-rank order of F, I and W for the given
// ranks, microbatches, chunks (1, or 2 in a V) and costs that keeps every
// rank's peak memory at or under the GPU's. Tiers, each a floor for the next:
//   1. every zoo schedule that runs here, scored, kept if it fits;
//   2. a greedy list scheduler over priority rules (prefer I or F when both
//      are ready; W eagerly or only to fill bubbles and free memory; how many
//      microbatches a rank may hold, from 1F1B's p - r to what memory allows;
//      in a V, which stage's forward first), simulated under the cap;
//   3. a local search over each rank's in-flight limit, from the best found.
// Every candidate is timed by simulate() (the same as any schedule) and its
// memory counted as schedule_stats counts it: a result never deadlocks,
// breaks a dependency or exceeds the cap.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pipescope/schedule/program.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

struct Params;

struct AutoProblem {
  int ranks = 1, microbatches = 1, chunks = 1;  // chunks 2: the V placement
  Costs costs;
  // Per stage: what its forward of one microbatch stores, and of that what
  // stays after I until W.
  std::vector<double> activation_bytes, kept_for_w_bytes;
  // Per rank: the activation bytes it may hold (the GPU's memory minus its
  // static memory); infinite: no cap.
  std::vector<double> budget_bytes;
};

// The problem `p` poses (requires validate(p) apart from the auto rules).
AutoProblem auto_problem(const Params& p);

struct AutoCandidate {
  std::string name;  // "zb-h1", "greedy: prefer I, W fills bubbles, hold <= 2(p-r)", "search"
  Program program;
  std::int64_t makespan = 0;
  std::vector<double> peak_bytes;  // per rank, activations
  bool fits = false;
};

struct AutoResult {
  AutoCandidate best;               // fits (the auto rules guarantee one does)
  std::vector<AutoCandidate> zoo;   // every zoo schedule that runs here, fitting or not
  int evaluated = 0;                // candidates simulated
  // What stops it going faster: memory on `binding_rank` (the fastest order
  // found without the cap is faster: `uncapped_makespan`), or -1: the
  // dependencies (nothing found without the cap is faster).
  int binding_rank = -1;
  std::int64_t uncapped_makespan = 0;
  bool stopped_at_deadline = false;  // the time bound ended it: `best` is the best found by then
};

struct AutoOptions {
  bool zoo = true;              // tier 1
  int search_evaluations = 64;  // tier 3's budget (0: none)
  bool explain = true;          // find what binds (the greedy tier again, without the cap)
  // Set from another thread to end the search early (it returns the best so far).
  const std::atomic<bool>* cancel = nullptr;
  // Past it the search ends with the best order found so far; until one
  // order fits it goes on regardless (an answer first, then a better one).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// `on_better`: called with each improvement the search finds (for a view
// that shows results as they come). Throws std::invalid_argument when no
// order fits (validate() refuses such caps first).
AutoResult auto_schedule(const AutoProblem& problem, const AutoOptions& options = {},
                         const std::function<void(const AutoCandidate&)>& on_better = {});

// The greedy tier alone with its default rule (prefer I, W fills bubbles,
// memory the only limit): also build_program(ScheduleKind::Auto) at unit costs.
std::optional<Program> greedy_program(const AutoProblem& problem);

// The least memory per GPU any order needs on each rank: its static memory
// and one microbatch's activations on each of its stages (bytes).
std::vector<double> least_auto_memory_bytes(const Params& p);

// Each rank's peak activation bytes when it runs `program` (stores at F's
// start, frees at I's, W's or B's end, as schedule_stats counts them).
std::vector<double> program_peak_bytes(const Program& program, const std::vector<double>& activation_bytes,
                                       const std::vector<double>& kept_for_w_bytes);

}  // namespace pipescope
