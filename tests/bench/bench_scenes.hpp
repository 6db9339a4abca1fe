#pragma once
// The two scenes every benchmark measures: the notebook's defaults, and the
// large scene the issues set targets for (dp 8, pp 8, L 64, microbatches 64).

#include "pipescope/params.hpp"

namespace pipescope::bench {

// Scene 2 is the worst the caps accept for building: one layer, one stage,
// 124,997 microbatches, 999,999 frames (a generator per microbatch, nearly
// all of them waiting at any frame).
inline Params scene_params(int which) {
  Params p;
  if (which == 1) {
    p.dp = 8;
    p.pp = 8;
    p.L = 64;
    p.microbatches = 64;
  } else if (which == 2) {
    p.dp = 1;
    p.pp = 1;
    p.L = 1;
    p.microbatches = 124997;
  }
  return p;
}

inline const char* scene_name(int which) {
  return which == 0 ? "default" : which == 1 ? "dp8_pp8_L64_mb64" : "near_frame_cap_mb124997";
}

}  // namespace pipescope::bench
