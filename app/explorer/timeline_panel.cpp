// The timeline panel: play controls, the scrubber (the notebook's phases,
// or utilisation for a pipelined schedule), the lanes and the compared
// schedule's, and the legend. Split from panels.cpp, which keeps the side
// panel.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "imgui_rects.hpp"
#include "panels.hpp"
#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

ImU32 phase_colour(Phase p) {
  switch (p) {
    case Phase::Setup: return IM_COL32(180, 180, 180, 255);
    case Phase::Forward: return IM_COL32(60, 160, 60, 255);
    case Phase::BackwardActivation: return IM_COL32(220, 70, 60, 255);
    case Phase::BackwardWeight: return IM_COL32(240, 150, 40, 255);
    case Phase::GradientExchange: return IM_COL32(70, 70, 70, 255);
    case Phase::Done: return IM_COL32(200, 200, 200, 255);
  }
  return IM_COL32_WHITE;
}

// Whether the schedule fuses its backwards (B blocks) rather than splitting them.
bool plan_has_fused(const std::vector<Lane>& lanes) {
  for (const Lane& lane : lanes) {
    for (const LaneBlock& b : lane.compute) {
      if (b.kind == BlockKind::Backward) return true;
    }
  }
  return false;
}

}  // namespace

bool timeline_panel(const PanelLayout& layout, TimelineView& t, const std::vector<PhaseSpan>& phases,
                    const LanesInput& lanes, LanesState& lanes_state, LanesState& compare_state,
                    CompareChoice& compare, WidgetRects& rects) {
  int& compare_choice = compare.schedule;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, io.DisplaySize.y - layout.timeline_height), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, layout.timeline_height), ImGuiCond_Always);
  ImGui::Begin("Timeline", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoScrollbar);
  {
    const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    rects["timeline"] = glm::vec4(a.x, a.y, a.x + size.x, a.y + size.y);
  }
  const std::uint32_t before = t.frame;
  if (ImGui::Button("|<")) t.to_start();
  ImGui::SameLine();
  if (ImGui::Button("<")) t.step(-1);
  ImGui::SameLine();
  if (ImGui::Button(t.playing ? "Pause" : "Play ")) t.toggle_play();
  ImGui::SameLine();
  if (ImGui::Button(">")) t.step(+1);
  ImGui::SameLine();
  if (ImGui::Button(">|")) t.to_end();
  ImGui::SameLine();
  ImGui::Checkbox("Loop", &t.loop);
  ImGui::SameLine();
  const SchedulePlan& plan = lanes.plan;
  const double frame_length = static_cast<double>(plan.frame_length);
  // Real time plays in training time: "15 fps: 30.0 ms/s" (ImGui formats
  // the number; the rest is text, '%' doubled).
  std::string speed_format = "%.0f frames/s";
  if (plan.real_time()) {
    speed_format = "%.0f fps: " + duration_text(plan.costs.unit, t.speed * frame_length) + "/s";
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * (plan.real_time() ? 12.0f : 10.0f));
  ImGui::SliderFloat("speed", &t.speed, 1.0f, 120.0f, speed_format.c_str(), ImGuiSliderFlags_Logarithmic);
  if (plan.real_time() && ImGui::IsItemHovered()) {
    // Play speed in training time: a frame shows frame_length of it.
    ImGui::SetTooltip("%s of training a second (a frame is %s)",
                      duration_text(plan.costs.unit, t.speed * frame_length).c_str(),
                      duration_text(plan.costs.unit, frame_length).c_str());
  }
  ImGui::SameLine();
  if (!phases.empty()) {  // the notebook's phases are one at a time
    Phase now = Phase::Setup;
    for (const PhaseSpan& s : phases) {
      if (t.frame >= s.first && t.frame <= s.last) now = s.phase;
    }
    ImGui::Text("frame %u / %u  %s", t.frame, t.last, std::string(phase_name(now)).c_str());
  } else {
    // A pipelined schedule runs several kinds at once: say what runs now.
    const double at = (static_cast<double>(t.frame) - 0.5) * frame_length;
    const RunningAt r = running_at(lanes.lanes, at);
    std::string running = "F " + std::to_string(r.forward) + ", ";
    running += r.backward > 0 || (r.backward_input == 0 && r.backward_weight == 0 && plan_has_fused(lanes.lanes))
                   ? "B " + std::to_string(r.backward)
                   : "I " + std::to_string(r.backward_input) + ", W " + std::to_string(r.backward_weight);
    ImGui::Text("frame %u / %u  %s: %s, idle %d", t.frame, t.last,
                plan.real_time() ? duration_text(plan.costs.unit, std::max(0.0, at)).c_str() : "running",
                running.c_str(), r.idle);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("GPUs running a forward (F), a backward through the input (I), a weight gradient (W), a "
                        "full backward (B), or idle");
    }
  }
  ImGui::SameLine();
  const double longest = static_cast<double>(std::max(
      lanes.plan.timing.makespan, lanes.compare.plan != nullptr ? lanes.compare.plan->timing.makespan : 0));
  if (ImGui::SmallButton("Fit lanes")) lanes_state.view.fit(longest);
  remember(rects, "lanes:fit");
  ImGui::SameLine();
  // Compare: a second schedule's lanes under the first, on the same time axis.
  const auto catalog = schedule_catalog();
  const std::string current = compare_choice < 0 ? "nothing" : std::string(catalog[static_cast<std::size_t>(compare_choice)].name);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::BeginCombo("compare with", current.c_str())) {
    if (ImGui::Selectable("nothing", compare_choice < 0)) compare_choice = -1;
    remember(rects, "compare:nothing");
    for (std::size_t i = 0; i < catalog.size(); ++i) {
      if (ImGui::Selectable(std::string(catalog[i].name).c_str(), compare_choice == static_cast<int>(i))) {
        compare_choice = static_cast<int>(i);
      }
      remember(rects, "compare:" + std::string(catalog[i].name));
    }
    ImGui::EndCombo();
  }
  remember(rects, "compare");
  if (compare_choice >= 0) {
    // The same or another schedule, with other parameters if wanted (0: the scene's).
    const std::int64_t step = 1;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputScalar("pp##compare", ImGuiDataType_S64, &compare.pp, &step, nullptr, "%lld");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The compared run's pp; 0: the same as the scene's");
    remember(rects, "compare:pp");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputScalar("microbatches (0: same)##compare", ImGuiDataType_S64, &compare.microbatches, &step, nullptr,
                       "%lld");
    remember(rects, "compare:microbatches");
    compare.pp = std::max<std::int64_t>(compare.pp, 0);
    compare.microbatches = std::max<std::int64_t>(compare.microbatches, 0);
  }

  // The scrubber: phases as coloured bands; click or drag anywhere.
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = ImGui::GetFontSize() * 1.6f;
  ImGui::InvisibleButton("scrubber", ImVec2(width, height));
  remember(rects, "scrubber");
  const float denom = static_cast<float>(std::max<std::uint32_t>(t.last, 1));
  if (ImGui::IsItemActive()) {
    const float u = std::clamp((io.MousePos.x - origin.x) / width, 0.0f, 1.0f);
    t.seek(static_cast<std::uint32_t>(u * denom + 0.5f));
    t.playing = false;
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), IM_COL32(235, 235, 235, 255));
  for (const PhaseSpan& s : phases) {
    const float x0 = origin.x + width * static_cast<float>(s.first) / (denom + 1.0f);
    const float x1 = origin.x + width * static_cast<float>(s.last + 1) / (denom + 1.0f);
    draw->AddRectFilled(ImVec2(x0, origin.y + height * 0.55f), ImVec2(x1, origin.y + height), phase_colour(s.phase));
  }
  if (phases.empty() && !lanes.lanes.empty()) {
    // Utilisation along the timeline: the darker, the more GPUs busy; bubbles show light.
    const int columns = std::max(1, static_cast<int>(width / 2));
    const double ranks = static_cast<double>(lanes.lanes.size());
    for (int c = 0; c < columns; ++c) {
      const double frame = (static_cast<double>(c) + 0.5) / columns * (denom + 1.0);
      const RunningAt r = running_at(lanes.lanes, (frame - 0.5) * frame_length);
      const double busy = 1.0 - r.idle / ranks;
      const int shade = static_cast<int>(225 - 165 * busy);
      const float x0 = origin.x + width * static_cast<float>(c) / static_cast<float>(columns);
      const float x1 = origin.x + width * static_cast<float>(c + 1) / static_cast<float>(columns);
      draw->AddRectFilled(ImVec2(x0, origin.y + height * 0.55f), ImVec2(x1, origin.y + height),
                          IM_COL32(shade, shade, shade + 20 > 255 ? 255 : shade + 20, 255));
    }
  }
  const float x = origin.x + width * (static_cast<float>(t.frame) + 0.5f) / (denom + 1.0f);
  draw->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + height), IM_COL32(20, 20, 20, 255), 2.0f);
  // The lanes: one per rank, under the overview strip; fewer rows each (the
  // rest scroll) when a second set sits beneath.
  const bool beside = (lanes.ideal != nullptr && lanes.ideal->lanes != nullptr) ||
                      (compare_choice >= 0 && lanes.compare.lanes != nullptr);
  const std::size_t shown = beside ? kLaneRowsShownBeside : kLaneRowsShown;
  if (const auto to = lanes_view(lanes.lanes, lanes.plan, lanes.stages_per_rank, lanes_state, t.frame, t.last,
                                 lanes.ui_scale, rects, false, shown)) {
    t.seek(*to);
    t.playing = false;
  }
  if (lanes.ideal != nullptr && lanes.ideal->lanes != nullptr && lanes.ideal_state != nullptr) {
    ImGui::TextDisabled("ideal: the same order at each stage's median costs, on the same time axis (above: as it ran)");
    lanes.ideal_state->view = lanes_state.view;
    const glm::vec4 main_lanes = rects["lanes"];
    ImGui::PushID("ideal");
    if (const auto to = lanes_view(*lanes.ideal->lanes, *lanes.ideal->plan, lanes.ideal->stages_per_rank,
                                   *lanes.ideal_state, t.frame, t.last, lanes.ui_scale, rects, false, shown)) {
      t.seek(*to);
      t.playing = false;
    }
    ImGui::PopID();
    rects["ideal:lanes"] = rects["lanes"];
    rects["lanes"] = main_lanes;
    lanes_state.view = lanes.ideal_state->view;
  }
  if (compare_choice >= 0) {
    const std::string name(schedule_catalog()[static_cast<std::size_t>(compare_choice)].name);
    if (lanes.compare.lanes == nullptr) {
      ImGui::TextColored(kErrorColour, "%s cannot run here: %s", name.c_str(), lanes.compare.error.c_str());
    } else {
      ImGui::TextDisabled("%s, on the same time axis (the 3D scene shows the schedule above)", name.c_str());
      // Both lanes share one view: zoom or pan either and both follow.
      compare_state.view = lanes_state.view;
      const glm::vec4 main_lanes = rects["lanes"];
      ImGui::PushID("compare");
      if (const auto to = lanes_view(*lanes.compare.lanes, *lanes.compare.plan, lanes.compare.stages_per_rank,
                                     compare_state, t.frame, t.last, lanes.ui_scale, rects, false, shown)) {
        t.seek(*to);
        t.playing = false;
      }
      ImGui::PopID();
      rects["compare:lanes"] = rects["lanes"];
      rects["lanes"] = main_lanes;
      lanes_state.view = compare_state.view;
    }
  }
  // The legend of the lanes (and of the notebook's phase bands: the same colours).
  const struct {
    BlockKind kind;
    const char* name;
  } keys[] = {{BlockKind::Forward, "F forward"}, {BlockKind::BackwardInput, "I backward (input)"},
              {BlockKind::BackwardWeight, "W weight gradient"}, {BlockKind::Backward, "B full backward"},
              {BlockKind::Send, "send"},
              {BlockKind::Exchange, "gradient exchange"},
              {BlockKind::TensorParallel, "tp all-reduce"},
              {BlockKind::ContextParallel, "cp ring"},
              {BlockKind::ExpertParallel, "ep all-to-all"},
              {BlockKind::FsdpGather, "FSDP gather"}};
  // The collectives' keys only where some lane's strip carries that kind.
  auto shown_kind = [&](BlockKind kind) {
    if (kind < BlockKind::TensorParallel) return true;
    for (const Lane& lane : lanes.lanes) {
      for (const LaneBlock& b : lane.collectives) {
        if (b.kind == kind) return true;
      }
    }
    return false;
  };
  for (const auto& k : keys) {
    if (!shown_kind(k.kind)) continue;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float side = ImGui::GetFontSize() * 0.7f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, at.y + side * 0.3f), ImVec2(at.x + side, at.y + side * 1.3f),
                                              lane_colour(k.kind));
    ImGui::Dummy(ImVec2(side, side));
    ImGui::SameLine();
    ImGui::TextUnformatted(k.name);
    ImGui::SameLine();
  }
  if (phases.empty()) {
    ImGui::TextDisabled(" the strip: GPUs busy (dark) or idle (light)");
    ImGui::SameLine();
  }
  ImGui::TextDisabled("  Space play/pause, Left/Right step, Home/End, R reset view, 1-4 views, F12 screenshot");
  ImGui::End();
  return t.frame != before;
}

}  // namespace pipescope::app
