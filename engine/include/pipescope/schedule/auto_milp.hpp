#pragma once
// Auto-schedule's optional exact tier, for small cases: the problem as a
// mixed-integer program in CPLEX LP format (GLPK's glpsol and CBC read it),
// and an order read back from glpsol's solution.
//   variables  s<a>: the start of pass a (µs); c: the makespan; x<k>: 1 when
//              the k-th pair of passes on one rank runs in index order
//   minimise   c
//   subject to c >= s<a> + length; each pass after its inputs (and the send);
//              one pass at a time on a rank (big-M disjunctions); each
//              stage's microbatches in order; memory: at every forward's
//              start, what the rank's earlier passes stored minus what they
//              freed, plus what it stores, within the rank's budget (GiB);
//              c <= `upper_bound` (the heuristic's: only better orders count).
// Data-parallel exchanges are not modelled (as in the greedy tier).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pipescope/schedule/auto_schedule.hpp"

namespace pipescope {

// Passes over which the exact tier is offered: beyond, the program is too
// large for a solver to say anything in seconds.
inline constexpr int kMaxExactPasses = 3 * 48;

// The LP text. Requires problem.ranks * chunks * microbatches * 3 <= kMaxExactPasses.
std::string auto_milp_lp(const AutoProblem& problem, std::int64_t upper_bound_ns);

struct MilpSolution {
  Program program;   // each rank's passes by their solved start times
  bool optimal = false;
  double objective_us = 0;
};

struct MilpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads glpsol's printable solution (glpsol --lp FILE -o SOLUTION); nothing
// when it found no integer solution (within its time limit, or none under
// the upper bound). Throws MilpError for text that is not such a solution.
std::optional<MilpSolution> read_glpsol_solution(const AutoProblem& problem, std::string_view text);

}  // namespace pipescope
