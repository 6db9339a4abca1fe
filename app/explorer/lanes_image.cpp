#include "lanes_image.hpp"
#include "imgui_font.hpp"

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

#include "lanes_panel.hpp"
#include "metrics_panel.hpp"
#include "pipescope/render/offscreen.hpp"
#include "pipescope/analysis/analysis.hpp"
#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

// An ImGui context of its own for the picture, whatever else is running.
struct ImGuiOffscreen {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  ImGuiContext* context = ImGui::CreateContext();
  ImGuiOffscreen() { ImGui::SetCurrentContext(context); }
  ~ImGuiOffscreen() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(context);
    ImGui::SetCurrentContext(previous);
  }
};

}  // namespace

std::int64_t lanes_image_rows(const Params& params, const Params* compare) {
  std::int64_t rows = params.pp;
  if (params.measured) rows = params.pp * std::max(1, params.measured->pipelines) + params.pp;
  if (compare != nullptr) rows += compare->pp;
  return rows;
}

LanesImage render_lanes_image(const Params& params, int width, int height, std::uint32_t frame,
                              const std::string& font_file, const ComparedLanes& compare) {
  const auto analysis = analyse(params);
  // The compared schedule on the scene's frames: both playheads mark one time.
  std::shared_ptr<const ScheduleAnalysis> other;
  SchedulePlan other_plan;
  if (compare.params != nullptr) {
    other = analyse(*compare.params);
    other_plan = other->plan;
    other_plan.frame_length = analysis->scene_plan().frame_length;
  }
  // A measured step: the step as it ran, its ideal's lanes beneath on the same axis.
  const MeasuredAnalysis* measured = analysis->measured.get();
  const SchedulePlan& plan = analysis->scene_plan();
  const std::vector<Lane>& lanes = measured ? measured->lanes : analysis->lanes;
  const ScheduleStats& stats = measured ? measured->stats : analysis->stats;
  const MetricsInput metrics{.stats = stats,
                             .memory = measured ? measured->memory : analysis->memory,
                             .frame_length = plan.frame_length,
                             .frame = frame,
                             .last = static_cast<std::uint32_t>(plan.frame_of(plan.timing.makespan) + 1)};

  ImGuiOffscreen guard;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
  const float scale = std::max(1.0f, static_cast<float>(width) / 1600.0f);
  add_panel_font(io, font_file, 15.0f * scale);
  ImGui::StyleColorsLight();
  ImGui::GetStyle().ScaleAllSizes(scale);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  OffscreenTarget target(width, height);
  LanesState state;
  LanesTexture texture;
  state.texture = &texture;
  state.view.fit(static_cast<double>(std::max({plan.timing.makespan, analysis->plan.timing.makespan,
                                                other ? other_plan.timing.makespan : std::int64_t{0}})));
  LanesState other_state;
  LanesTexture other_texture;
  other_state.texture = &other_texture;
  LanesState ideal_state;
  LanesTexture ideal_texture;
  ideal_state.texture = &ideal_texture;
  WidgetRects rects;
  // Two frames: the first lays the window out, the second draws it settled.
  for (int pass = 0; pass < 2; ++pass) {
    io.DeltaTime = 1.0f / 60.0f;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("lanes", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
    ImGui::TextUnformatted(lanes_title(params, stats).c_str());
    lanes_view(lanes, plan, static_cast<int>(params.stages_per_rank()), state, frame, metrics.last, scale, rects,
               true);
    if (measured) {
      const glm::vec4 main_lanes = rects["lanes"];
      ImGui::TextDisabled("ideal: the same order at each stage's median costs (%s; above: as it ran, %s)",
                          duration_text(TimeUnit::Nanoseconds, static_cast<double>(analysis->plan.timing.makespan)).c_str(),
                          duration_text(TimeUnit::Nanoseconds, static_cast<double>(plan.timing.makespan)).c_str());
      ideal_state.view = state.view;
      ImGui::PushID("ideal");
      lanes_view(analysis->lanes, analysis->plan, static_cast<int>(params.stages_per_rank()), ideal_state, frame,
                 metrics.last, scale, rects, true);
      ImGui::PopID();
      rects["lanes"] = main_lanes;
    }
    if (other) {
      const glm::vec4 main_lanes = rects["lanes"];
      const auto time = [&](std::int64_t t) { return duration_text(plan.costs.unit, static_cast<double>(t)); };
      ImGui::TextDisabled("compared: %s, %s, on the same time axis (above: %s)", compare.name.c_str(),
                          time(other_plan.timing.makespan).c_str(), time(plan.timing.makespan).c_str());
      other_state.view = state.view;
      ImGui::PushID("compare");
      lanes_view(other->lanes, other_plan, static_cast<int>(compare.params->stages_per_rank()), other_state, frame,
                 metrics.last, scale, rects, true);
      ImGui::PopID();
      rects["compare:lanes"] = rects["lanes"];
      rects["lanes"] = main_lanes;
    }
    if (measured) {
      // A trace has times, not the model's sizes: no memory to plot.
      ImGui::TextDisabled("memory: a measured step has none to show (the traces hold times, not the model's sizes)");
    } else {
      ImGui::TextDisabled("memory per rank, static + activations");
      memory_plot(metrics, std::max(ImGui::GetContentRegionAvail().y - 4, 20.0f), rects, lanes_label_width(scale, lanes));
    }
    ImGui::End();
    ImGui::Render();
  }
  target.bind();
  glViewport(0, 0, width, height);
  glClearColor(1, 1, 1, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  const glm::vec4 area = rects.at("lanes");
  LanesImage out{target.read(), area.x, area.y, area.z - area.x, 20.0f * scale, 14.0f * scale, state.view.start,
                 state.view.span};
  if (other) out.compare_y0 = rects.at("compare:lanes").y;
  return out;
}

}  // namespace pipescope::app
