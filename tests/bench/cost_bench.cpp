// The analysis after a parameter change on the largest runs people plan:
// GPT-3 175B on 1,024 A100s (the gpt3-175b-a100 preset) and a Llama-3-405B-
// sized layout on 8,192 H100s (tp 8 x pp 16 x dp 64, the Llama 3 paper's).
// Target on the 2-core reference machine (issue 23): under 100 ms each.
#include <benchmark/benchmark.h>

#include "pipescope/analysis/analysis.hpp"

namespace pipescope {
namespace {

Params gpt3_on_1024() {
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

Params llama405_on_8192() {
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

// Each iteration changes one parameter (as a panel edit does) and analyses anew.
void BM_AnalysisAfterAChange(benchmark::State& state) {
  Params p = state.range(0) == 0 ? gpt3_on_1024() : llama405_on_8192();
  state.SetLabel(state.range(0) == 0 ? "gpt3-175b on 1,024 GPUs" : "405B-sized on 8,192 GPUs");
  std::int64_t flip = 0;
  for (auto _ : state) {
    p.zero = (flip++ % 2) ? 1 : 2;
    const auto a = analyse(p);
    benchmark::DoNotOptimize(a->stats.makespan);
  }
}
BENCHMARK(BM_AnalysisAfterAChange)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
