#pragma once
// The real runs the benchmarks plan and analyse: GPT-3 175B on 1,024 A100s
// as Megatron-LM runs it (the gpt3-175b-a100 preset's layout), a
// Llama-3-405B-sized layout on 8,192 H100s (tp 8 x pp 16 x dp 64, the
// Llama 3 paper's) and Llama 3 70B (the llama3-70b-h100 preset's model).

#include "pipescope/model/params.hpp"

namespace pipescope::bench {

inline Params gpt3_on_1024() {
  Params p;
  p.model = CostModel::Transformer;
  p.schedule = ScheduleKind::Interleaved1F1B;
  p.chunks = 6;
  p.d_model = 12288;
  p.heads = 128;
  p.L = 96;
  p.seq_len = 2048;
  p.vocab = 64000;
  p.B = 768;
  p.dp = 16;
  p.pp = 8;
  p.tp = 8;
  p.sp = 1;
  p.microbatches = 48;
  p.recompute = static_cast<std::int64_t>(Recompute::Selective);
  p.zero = 1;
  return p;
}

inline Params llama405_on_8192() {
  Params p;
  p.model = CostModel::Transformer;
  p.schedule = ScheduleKind::Interleaved1F1B;
  p.chunks = 2;
  p.d_model = 16384;
  p.d_hidden = 53248;
  p.mlp = static_cast<std::int64_t>(Mlp::Swiglu);
  p.heads = 128;
  p.kv_heads = 8;
  p.L = 128;  // the paper's 126, rounded to whole stages
  p.seq_len = 8192;
  p.vocab = 128000;
  p.dp = 64;
  p.pp = 16;
  p.tp = 8;
  p.sp = 1;
  p.microbatches = 32;
  p.B = 64 * 32;
  p.zero = 1;
  return p;
}

inline Params llama3_70b_on_64() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 8192;
  p.d_hidden = 28672;
  p.heads = 64;
  p.kv_heads = 8;
  p.mlp = static_cast<std::int64_t>(Mlp::Swiglu);
  p.L = 80;
  p.seq_len = 8192;
  p.vocab = 128000;
  p.B = 64;
  p.tp = 8;
  p.pp = 4;
  p.dp = 2;
  p.microbatches = 32;
  p.grad_bytes = 4;
  return p;
}

}  // namespace pipescope::bench
