#pragma once
// `pipescope schedule --schedule auto --exact`: the exact tier, for small
// cases. Writes the problem as an LP file, runs GLPK's glpsol on it (from
// PATH, with a time limit) and reads its solution back.

#include <optional>
#include <string>

#include "pipescope/schedule/auto_milp.hpp"

namespace pipescope::app {

struct ExactResult {
  std::optional<MilpSolution> solution;  // none: nothing better than the heuristic within the time limit
  std::string error;                     // why it could not run ("" when it ran)
  bool interrupted = false;              // Ctrl-C, kill or a closed terminal: glpsol was stopped
};

// Signals (SIGINT, SIGTERM, SIGHUP) stop glpsol too, and its scratch folder
// is removed whatever happens.
ExactResult solve_exact(const AutoProblem& problem, std::int64_t heuristic_makespan_ns, int seconds);

}  // namespace pipescope::app
