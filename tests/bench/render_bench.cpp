// Frame time at 1920x1080 on a headless context (llvmpipe on the reference
// machine): the notebook's scene and dp 8, pp 8, L 64, microbatches 64, each
// at its busiest frame (most visible objects). Targets on the 2-core
// machine: default at most 16 ms; the large scene at most 33 ms, the Llama 3
// 70B preset (scene 4) at most 33 ms (30 frames a second) and the 8,192-GPU
// layout (scene 5) at most 100 ms, still, orbiting and playing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "pipescope/render/font.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/render/still.hpp"
#include "bench_scenes.hpp"
#include "pipescope/animate/scene.hpp"

namespace pipescope {
namespace {

using bench::scene_name;
using bench::scene_params;


// The busiest of (at most) 400 frames spread over the animation: a scan of
// every frame of a million-object scene would take longer than the benchmark.
std::uint32_t busiest_frame(Scene& scene) {
  std::uint32_t best = 0;
  std::size_t most = 0;
  Playhead& ph = scene.playhead();
  const std::uint32_t frames = scene.timeline().last_frame() + 1;
  const std::uint32_t stride = std::max<std::uint32_t>(1, frames / 400);
  for (std::uint32_t f = 0; f < frames; f += stride) {
    ph.seek(f);
    std::size_t n = 0;
    for (VisualState s : ph.state()) n += s != VisualState::Hidden;
    if (n > most) most = n, best = f;
  }
  return best;
}

struct Fixture {
  gl::HeadlessContext context;
  FontAtlas font{find_font_file("DejaVu Sans"), 14.0f};
};
Fixture& fixture() {
  static Fixture f;
  return f;
}

// range(0): scene; range(1): 0 = still camera, 1 = camera orbiting (re-sort every frame),
// 2 = playing (a step forward a frame from the busiest, each state change uploaded);
// range(2): 1 = order-independent transparency instead of sorting.
void BM_FrameTime1080p(benchmark::State& state) {
  Fixture& f = fixture();
  Scene scene(scene_params(static_cast<int>(state.range(0))));
  const std::uint32_t frame = busiest_frame(scene);
  scene.playhead().seek(frame);
  SceneRenderer renderer(&f.font);
  renderer.set_scene(scene.layout(), scene.playhead());
  OffscreenTarget target(1920, 1080);
  target.bind();
  Camera camera = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 1920.0f / 1080.0f);
  RenderStyle style;
  style.labels = std::getenv("NO_LABELS") == nullptr;
  style.order_independent = state.range(2) == 1;
  const bool orbit = state.range(1) == 1, playing = state.range(1) == 2;
  const std::uint32_t last = scene.timeline().last_frame();
  renderer.draw(camera, 1920, 1080, style);  // warm-up: first-use compilation in llvmpipe
  glFinish();
  for (auto _ : state) {
    if (orbit) camera.orbit(2.0f, 0.0f);
    if (playing) {
      if (!scene.playhead().step_forward() || scene.playhead().frame() >= std::min(last, frame + 200)) {
        scene.playhead().seek(frame);
      }
      renderer.update(scene.playhead());
    }
    renderer.draw(camera, 1920, 1080, style);
    glFinish();  // count the GPU's (llvmpipe's) work, not just the submission
  }
  state.SetLabel(std::string(scene_name(static_cast<int>(state.range(0)))) +
                 (orbit ? " orbiting" : playing ? " playing" : " still") + (style.order_independent ? " oit" : "") + " frame " +
                 std::to_string(frame));
  state.counters["visible"] = static_cast<double>(renderer.stats().visible_objects);
  state.counters["quads"] = static_cast<double>(renderer.stats().quads);
  state.counters["glyphs"] = static_cast<double>(renderer.stats().glyphs);
}
BENCHMARK(BM_FrameTime1080p)
    ->Args({0, 0, 0})->Args({0, 1, 0})->Args({1, 0, 0})->Args({1, 1, 0})->Args({0, 0, 1})->Args({1, 0, 1})
    ->Args({3, 0, 0})->Args({1, 2, 0})
    ->Args({4, 0, 0})->Args({4, 1, 0})->Args({4, 2, 0})->Args({5, 0, 0})->Args({5, 1, 0})->Args({5, 2, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
