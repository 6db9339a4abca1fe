#pragma once
// A schedule as a Chrome Trace Event Format file, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open: a process per data-parallel
// replica, a thread per pipeline rank (and one per rank's link for the
// gradient exchange), a
// complete event per timed action with its stage, microbatch and kind, flow
// arrows from each send's action to the action that receives it, and a
// counter per rank with the activations it stores. One frame lasts
// `frame_us` microseconds (written in otherData).

#include <string>

#include "pipescope/params.hpp"
#include "pipescope/simulate.hpp"

namespace pipescope {

std::string chrome_trace(const Params& params, const SchedulePlan& plan, double frame_us);

}  // namespace pipescope
