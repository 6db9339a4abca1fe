// What the explorer pays when the user acts: a parameter change (new
// schedule, scene, GPU upload, and the first frame drawn) and a scrub across
// the whole timeline (every frame's state uploaded, and drawn), for the
// notebook's scene, dp 8, pp 8, L 64, microbatches 64, and a transformer on
// pp 16 (v 2, 128 microbatches), on a headless context at 1920x1080. A
// parameter change is what the explorer's load_scene does: one analysis
// (plan, lanes, figures, memory), the scene animating that plan, the upload.
// Targets on the 2-core machine: a parameter change on the default scene and
// on the pp 16 transformer in at most 50 ms each.
#include <benchmark/benchmark.h>

#include "pipescope/render/font.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/render/still.hpp"
#include "bench_scenes.hpp"
#include "pipescope/analysis/analysis.hpp"
#include "pipescope/animate/scene.hpp"

namespace pipescope {
namespace {

using bench::scene_name;
using bench::scene_params;


struct Fixture {
  gl::HeadlessContext context;
  FontAtlas font{find_font_file("DejaVu Sans"), 14.0f};
  OffscreenTarget target{1920, 1080};
};
Fixture& fixture() {
  static Fixture f;
  return f;
}

// range(1): 0 = schedule + scene + upload only, 1 = and the first frame drawn.
void BM_ParameterChange(benchmark::State& state) {
  Fixture& f = fixture();
  const Params p = scene_params(static_cast<int>(state.range(0)));
  const bool draw = state.range(1) == 1;
  SceneRenderer renderer(&f.font);
  f.target.bind();
  for (auto _ : state) {
    const auto analysis = analyse(p);
    Scene scene(p, std::shared_ptr<const SchedulePlan>(analysis, &analysis->plan));
    scene.playhead().seek(scene.timeline().last_frame() / 2);  // the explorer keeps the relative point
    renderer.set_scene(scene.layout(), scene.playhead());
    if (draw) {
      const Camera camera = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 16.0f / 9.0f);
      renderer.draw(camera, 1920, 1080, RenderStyle{});
    }
    glFinish();
  }
  state.SetLabel(std::string(scene_name(static_cast<int>(state.range(0)))) + (draw ? " +first frame" : ""));
}
BENCHMARK(BM_ParameterChange)->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({1, 1})->Args({3, 0})->Args({3, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// range(1): 0 = state uploads only (what dragging costs before the next
// redraw), 1 = every frame drawn too.
void BM_ScrubWholeTimeline(benchmark::State& state) {
  Fixture& f = fixture();
  Scene scene(scene_params(static_cast<int>(state.range(0))));
  SceneRenderer renderer(&f.font);
  renderer.set_scene(scene.layout(), scene.playhead());
  const Camera camera = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 16.0f / 9.0f);
  const bool draw = state.range(1) == 1;
  f.target.bind();
  const std::uint32_t last = scene.timeline().last_frame();
  for (auto _ : state) {
    for (std::uint32_t k = 0; k <= last; ++k) {
      scene.playhead().seek(k);
      renderer.update(scene.playhead());
      if (draw) renderer.draw(camera, 1920, 1080, RenderStyle{});
    }
    glFinish();
  }
  state.counters["frames"] = last + 1;
  state.SetItemsProcessed(state.iterations() * (last + 1));  // items/s = timeline frames per second
  state.SetLabel(std::string(scene_name(static_cast<int>(state.range(0)))) + (draw ? " drawn" : " uploads"));
}
BENCHMARK(BM_ScrubWholeTimeline)->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({3, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
