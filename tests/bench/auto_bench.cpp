// Auto-schedule figures at pp 16, 64 microbatches, a GPT-style model with
// the cap halfway between ZB-H1's and ZB-H2's peaks: one greedy rule, the
// greedy tier (every rule, each simulated and its memory counted), tiers 1
// and 2 with the binding analysis, and 64 steps of the search.
// Target on the 2-core reference machine: the greedy tier under 10 ms.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/schedule/auto_schedule.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {
namespace {

Params big() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 4096;
  p.heads = 32;
  p.seq_len = 2048;
  p.L = 64;
  p.pp = 16;
  p.dp = 1;
  p.microbatches = 64;
  p.B = 64;
  return p;
}

double peak_gib(Params p, ScheduleKind kind) {
  p.schedule = kind;
  const auto st = schedule_stats(p, make_plan(p));
  double peak = 0;
  for (const auto& r : st.ranks) peak = std::max(peak, r.peak_memory_bytes);
  return peak / (1024.0 * 1024 * 1024);
}

AutoProblem problem() {
  Params p = big();
  p.gpu_memory_gib = (peak_gib(p, ScheduleKind::ZBH1) + peak_gib(p, ScheduleKind::ZBH2)) / 2;
  p.schedule = ScheduleKind::Auto;
  return auto_problem(p);
}

void BM_GreedyOneRule(benchmark::State& state) {
  const AutoProblem pb = problem();
  for (auto _ : state) benchmark::DoNotOptimize(greedy_program(pb));
}
BENCHMARK(BM_GreedyOneRule)->Unit(benchmark::kMillisecond);

void BM_GreedyTier(benchmark::State& state) {
  const AutoProblem pb = problem();
  for (auto _ : state) {
    const AutoResult r = auto_schedule(pb, {.zoo = false, .search_evaluations = 0, .explain = false});
    state.counters["rules"] = r.evaluated;
  }
}
BENCHMARK(BM_GreedyTier)->Unit(benchmark::kMillisecond);

void BM_ZooAndGreedyTiers(benchmark::State& state) {
  const AutoProblem pb = problem();
  for (auto _ : state) {
    const AutoResult r = auto_schedule(pb, {.search_evaluations = 0});
    state.counters["evaluated"] = r.evaluated;
    state.counters["makespan_ms"] = static_cast<double>(r.best.makespan) / 1e6;
  }
}
BENCHMARK(BM_ZooAndGreedyTiers)->Unit(benchmark::kMillisecond);

void BM_WithSearch64(benchmark::State& state) {
  const AutoProblem pb = problem();
  for (auto _ : state) benchmark::DoNotOptimize(auto_schedule(pb).best.makespan);
}
BENCHMARK(BM_WithSearch64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
