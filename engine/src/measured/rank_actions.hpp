#pragma once
// Inside the measured-run reader: what one rank's trace says it ran in one
// step, on the file's own clock (ns, baseTimeNanoseconds added).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipescope/measured/kineto_trace.hpp"
#include "pipescope/measured/measured_run.hpp"

namespace pipescope::detail {

// The ProfilerStep#N numbers the trace holds.
std::set<int> profiler_steps(const KinetoTrace& trace);

struct RankRecord {
  int rank = 0;
  std::string file;
  MeasuredLabels labels = MeasuredLabels::Inferred;
  bool gpu = false;
  // Actions in the order they ran. With inferred labels, stage is -1 and the
  // microbatch is the action's count among its kind (F or B) on the rank.
  std::vector<MeasuredAction> actions;
  std::vector<MeasuredComm> comms;
  std::vector<MeasuredCollective> collectives;
  std::vector<OperatorTime> operators;  // inside its actions, the longest first
  std::int64_t step_start = 0, step_end = 0;
};

// `step`: a ProfilerStep#N the trace holds, or nullopt for a trace without
// any (the whole trace is the step). Throws MeasuredRunError for labels it
// cannot read.
RankRecord rank_actions(const KinetoTrace& trace, std::optional<int> step);

}  // namespace pipescope::detail
