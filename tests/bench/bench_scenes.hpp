#pragma once
// The scenes the benchmarks measure: the notebook's defaults, the large
// scene the issues set targets for (dp 8, pp 8, L 64, microbatches 64), the
// near-cap one, and a real transformer at pp 16.

#include "pipescope/model/params.hpp"
#include "bench_models.hpp"

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
  } else if (which == 3) {
    // Real units at scale: a GPT-style transformer, interleaved 1F1B on pp 16
    // with v 2, 128 microbatches (the real-units issue's target).
    p.model = CostModel::Transformer;
    p.schedule = ScheduleKind::Interleaved1F1B;
    p.chunks = 2;
    p.d_model = 4096;
    p.heads = 32;
    p.seq_len = 2048;
    p.dp = 2;
    p.pp = 16;
    p.L = 64;
    p.microbatches = 128;
    p.B = 256;
  } else if (which == 4) {
    p = llama3_70b_on_64();  // the llama3-70b-h100 preset: tp 8 x pp 4 x dp 2
    p.schedule = ScheduleKind::OneFOneB;
    p.zero = 1;
    p.recompute = static_cast<std::int64_t>(Recompute::Selective);
  } else if (which == 5) {
    p = llama405_on_8192();  // tp 8 x pp 16 x dp 64: 8,192 GPUs
  }
  return p;
}

inline const char* scene_name(int which) {
  return which == 0   ? "default"
         : which == 1 ? "dp8_pp8_L64_mb64"
         : which == 2 ? "near_frame_cap_mb124997"
         : which == 3 ? "transformer_pp16_v2_mb128"
         : which == 4 ? "llama3_70b_tp8_pp4_dp2"
                      : "llama405_8192_gpus";
}

}  // namespace pipescope::bench
