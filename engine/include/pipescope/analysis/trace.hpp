#pragma once
// A schedule as a Chrome Trace Event Format file, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open: a process per data-parallel
// replica, a thread per pipeline rank (and one per rank's link for the
// gradient exchange), a
// complete event per timed action with its stage, microbatch and kind, flow
// arrows from each send's action to the action that receives it, and a
// counter per rank with the activation bytes it stores. A real-time plan
// is written in its own microseconds; a plan in frames lasts `frame_us`
// microseconds a frame (written in otherData with the time unit).

#include <string>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

std::string chrome_trace(const Params& params, const SchedulePlan& plan, double frame_us);

}  // namespace pipescope
