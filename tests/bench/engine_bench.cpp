// Engine figures: building layout + timeline, a seek to a random frame, and
// a one-frame step, for the notebook's scene and a large one.
// Targets on the 2-core reference machine: large build < 0.5 s, any seek
// < 2 ms, any step < 0.2 ms.
#include <benchmark/benchmark.h>

#include <random>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "bench_scenes.hpp"
#include "pipescope/animate/timeline.hpp"
#include "pipescope/schedule/zoo.hpp"

#include <string>

namespace pipescope {
namespace {

using bench::scene_name;
using bench::scene_params;



void BM_BuildLayoutAndTimeline(benchmark::State& state) {
  const Params p = scene_params(static_cast<int>(state.range(0)));
  state.SetLabel(scene_name(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    const Layout layout(p);
    const Timeline timeline(layout, *make_notebook_schedule());
    benchmark::DoNotOptimize(timeline.change_count());
    state.counters["objects"] = static_cast<double>(layout.size());
    state.counters["frames"] = timeline.last_frame();
    state.counters["changes"] = static_cast<double>(timeline.change_count());
    state.counters["keyframes"] = static_cast<double>(timeline.keyframe_count());
  }
}
BENCHMARK(BM_BuildLayoutAndTimeline)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

struct Built {
  explicit Built(int which) : layout(scene_params(which)), timeline(layout, *make_notebook_schedule()) {}
  Layout layout;
  Timeline timeline;
};

void BM_SeekRandomFrame(benchmark::State& state) {
  const Built b(static_cast<int>(state.range(0)));
  state.SetLabel(scene_name(static_cast<int>(state.range(0))));
  Playhead ph(b.timeline);
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> frame(0, b.timeline.last_frame());
  for (auto _ : state) {
    ph.seek(frame(rng));
    benchmark::DoNotOptimize(ph.state().data());
    state.PauseTiming();
    ph.take_changes();  // what the renderer would do between seeks
    state.ResumeTiming();
  }
}
BENCHMARK(BM_SeekRandomFrame)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The worst single seek: from frame 0 to the frame right before the next
// keyframe, over every keyframe interval.
void BM_SeekWorstCase(benchmark::State& state) {
  const Built b(static_cast<int>(state.range(0)));
  state.SetLabel(scene_name(static_cast<int>(state.range(0))));
  Playhead ph(b.timeline);
  const std::uint32_t last = b.timeline.last_frame();
  std::uint32_t worst = 0;
  std::size_t worst_changes = 0;
  for (std::uint32_t k = 0; k <= last; ++k) {
    const auto& key = b.timeline.keyframe_at_or_before(k);
    const std::size_t n = b.timeline.changes_between(key.frame, k);
    if (n > worst_changes) worst_changes = n, worst = k;
  }
  state.counters["changes_applied"] = static_cast<double>(worst_changes);
  bool at_start = true;
  for (auto _ : state) {
    ph.seek(at_start ? worst : last / 2);  // alternate so every seek does work
    at_start = !at_start;
    benchmark::DoNotOptimize(ph.state().data());
  }
}
BENCHMARK(BM_SeekWorstCase)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_StepOneFrame(benchmark::State& state) {
  const Built b(static_cast<int>(state.range(0)));
  state.SetLabel(scene_name(static_cast<int>(state.range(0))));
  Playhead ph(b.timeline);
  bool forward = true;
  for (auto _ : state) {
    // Sweep forward to the end, then back, so every frame's step is sampled.
    if (forward ? !ph.step_forward() : !ph.step_back()) forward = !forward;
    benchmark::DoNotOptimize(ph.state().data());
    if (ph.frame() % 64 == 0) ph.take_changes();
  }
}
BENCHMARK(BM_StepOneFrame)->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

// The most changes any single frame applies: the worst one-frame step.
void BM_StepBusiestFrame(benchmark::State& state) {
  const Built b(static_cast<int>(state.range(0)));
  state.SetLabel(scene_name(static_cast<int>(state.range(0))));
  std::uint32_t busiest = 1;
  for (std::uint32_t k = 1; k <= b.timeline.last_frame(); ++k) {
    if (b.timeline.changes_into(k).size() > b.timeline.changes_into(busiest).size()) busiest = k;
  }
  state.counters["changes"] = static_cast<double>(b.timeline.changes_into(busiest).size());
  Playhead ph(b.timeline);
  ph.seek(busiest - 1);
  for (auto _ : state) {
    ph.step_forward();
    ph.step_back();
    ph.take_changes();
  }
  state.SetItemsProcessed(state.iterations() * 2);  // two steps per iteration
}
BENCHMARK(BM_StepBusiestFrame)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Every schedule of the zoo on the large scene (interleaved ones at v = 4):
// build the layout, simulate, animate and record. Target < 0.5 s each.
Params zoo_params(int kind) {
  Params p = scene_params(1);
  p.schedule = static_cast<ScheduleKind>(kind);
  if (p.schedule == ScheduleKind::Interleaved1F1B || p.schedule == ScheduleKind::InterleavedZB) p.chunks = 4;
  return p;
}

void BM_BuildScheduleScene(benchmark::State& state) {
  const Params p = zoo_params(static_cast<int>(state.range(0)));
  state.SetLabel(std::string(schedule_info(p.schedule).name) + " v" + std::to_string(p.stages_per_rank()));
  for (auto _ : state) {
    const Layout layout(p);
    const Timeline timeline(layout, *(p.schedule == ScheduleKind::Notebook ? make_notebook_schedule()
                                                                           : make_program_schedule()));
    benchmark::DoNotOptimize(timeline.change_count());
    state.counters["frames"] = timeline.last_frame();
    state.counters["changes"] = static_cast<double>(timeline.change_count());
  }
}
BENCHMARK(BM_BuildScheduleScene)->DenseRange(1, 9)->Unit(benchmark::kMillisecond);

// Seeking and stepping on a schedule's timeline (interleaved 1F1B, v = 4).
void BM_ScheduleSeekAndStep(benchmark::State& state) {
  const Params p = zoo_params(static_cast<int>(ScheduleKind::Interleaved1F1B));
  const Layout layout(p);
  const Timeline timeline(layout, *make_program_schedule());
  Playhead ph(timeline);
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> frame(0, timeline.last_frame());
  const bool seek = state.range(0) == 0;
  state.SetLabel(seek ? "random seek" : "one-frame step");
  bool forward = true;
  for (auto _ : state) {
    if (seek) {
      ph.seek(frame(rng));
    } else if (forward ? !ph.step_forward() : !ph.step_back()) {
      forward = !forward;
    }
    benchmark::DoNotOptimize(ph.state().data());
    state.PauseTiming();
    ph.take_changes();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_ScheduleSeekAndStep)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
