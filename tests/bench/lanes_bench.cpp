// The lanes drawn for the largest schedule the issue names (dp 8, pp 8, L 64,
// microbatches 64, interleaved 1F1B at v = 4: 8 lanes, tens of thousands of
// blocks), as the explorer draws them: Dear ImGui's frame with the lanes
// (culling and merging included), and that frame rendered by ImGui's OpenGL
// backend on a headless context at 1920 pixels wide. Target on the 2-core
// machine: under 5 ms a frame. Also a zoomed-in view (one tenth).
#include <benchmark/benchmark.h>

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

#include "explorer/lanes_panel.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/model/params.hpp"

namespace pipescope {
namespace {

struct Fixture {
  gl::HeadlessContext context;
  OffscreenTarget target{1920, 260};
  Params params;
  SchedulePlan plan;
  std::vector<Lane> lanes;
  std::size_t blocks = 0;
  Fixture() {
    params.dp = params.pp = 8;
    params.L = 64;
    params.microbatches = 64;
    params.schedule = ScheduleKind::Interleaved1F1B;
    params.chunks = 4;
    plan = make_plan(params);
    lanes = make_lanes(plan);
    for (const auto& l : lanes) blocks += l.compute.size() + l.sends.size() + l.exchanges.size();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1920, 260);
    io.IniFilename = nullptr;
    io.Fonts->AddFontDefault();
    ImGui_ImplOpenGL3_Init("#version 330 core");
  }
  ~Fixture() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext();
  }
};

void BM_LanesFrame(benchmark::State& state) {
  static Fixture f;
  const bool zoomed = state.range(1) == 1, empty = state.range(1) == 2, draw_gl = state.range(0) != 0;
  static const std::vector<Lane> no_lanes;
  app::LanesState lanes_state;
  LanesTexture texture;  // as the explorer draws them: one quad, repainted when the view changes
  if (draw_gl && state.range(2) != 0) lanes_state.texture = &texture;
  const double total = static_cast<double>(f.plan.timing.makespan);
  lanes_state.view.fit(total);
  if (zoomed) lanes_state.view.zoom_at(total / 2, 0.1, total);
  app::WidgetRects rects;
  std::uint32_t frame = 1;
  for (auto _ : state) {
    ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1920, 260));
    ImGui::Begin("Timeline");
    app::lanes_view(empty ? no_lanes : f.lanes, f.plan, 4, lanes_state, frame, static_cast<std::uint32_t>(total), 1.0f,
                    rects);
    ImGui::End();
    ImGui::Render();
    if (draw_gl) {
      f.target.bind();
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      glFinish();
    }
    frame = frame % static_cast<std::uint32_t>(total) + 7;  // the playhead moves, as when playing
  }
  state.counters["blocks"] = static_cast<double>(f.blocks);
  state.counters["vertices"] = static_cast<double>(ImGui::GetDrawData()->TotalVtxCount);
  state.SetLabel(std::string(draw_gl ? "ImGui + GL" : "ImGui only") + (lanes_state.texture ? ", texture" : ", rects") +
                 (empty ? ", no lanes (the frame's own cost)" : zoomed ? ", zoomed x10" : ", whole schedule"));
}
// Args: GL drawing, view (0 whole, 1 zoomed, 2 no lanes), texture (1) or a rectangle per block (0).
BENCHMARK(BM_LanesFrame)
    ->Args({0, 0, 0})
    ->Args({1, 0, 0})
    ->Args({1, 0, 1})
    ->Args({1, 1, 0})
    ->Args({1, 1, 1})
    ->Args({1, 2, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pipescope

BENCHMARK_MAIN();
