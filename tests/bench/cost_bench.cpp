// The analysis after a parameter change on the largest runs people plan:
// GPT-3 175B on 1,024 A100s (the gpt3-175b-a100 preset) and a Llama-3-405B-
// sized layout on 8,192 H100s (tp 8 x pp 16 x dp 64, the Llama 3 paper's).
// Target on the 2-core reference machine (issue 23): under 100 ms each.
#include <benchmark/benchmark.h>

#include "bench_models.hpp"
#include "pipescope/analysis/analysis.hpp"

namespace pipescope {
namespace {

// Each iteration changes one parameter (as a panel edit does) and analyses anew.
void BM_AnalysisAfterAChange(benchmark::State& state) {
  Params p = state.range(0) == 0 ? bench::gpt3_on_1024() : bench::llama405_on_8192();
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
