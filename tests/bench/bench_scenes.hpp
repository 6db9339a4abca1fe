#pragma once
// The two scenes every benchmark measures: the notebook's defaults, and the
// large scene the issues set targets for (dp 8, pp 8, L 64, microbatches 64).

#include "pipescope/params.hpp"

namespace pipescope::bench {

inline Params scene_params(int which) {
  Params p;
  if (which == 1) {
    p.dp = 8;
    p.pp = 8;
    p.L = 64;
    p.microbatches = 64;
  }
  return p;
}

inline const char* scene_name(int which) { return which == 0 ? "default" : "dp8_pp8_L64_mb64"; }

}  // namespace pipescope::bench
