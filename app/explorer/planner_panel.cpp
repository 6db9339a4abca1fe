#include "planner_panel.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>

#include "imgui_rects.hpp"
#include "pipescope/analysis/units.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope::app {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string step_text(std::int64_t ns) { return duration_text(TimeUnit::Nanoseconds, static_cast<double>(ns)); }

// "tp 8 -> 4, pp 2 -> 4": what differs between two layouts.
std::string differences(const ParallelLayout& a, const ParallelLayout& b) {
  std::string out;
  auto add = [&](const char* key, const std::string& x, const std::string& y) {
    if (x != y) out += fmt::format("{}{} {} -> {}", out.empty() ? "" : ", ", key, x, y);
  };
  auto n = [](std::int64_t v) { return std::to_string(v); };
  add("tp", n(a.tp), n(b.tp));
  add("cp", n(a.cp), n(b.cp));
  add("ep", n(a.ep), n(b.ep));
  add("pp", n(a.pp), n(b.pp));
  add("dp", n(a.dp), n(b.dp));
  add("stages a rank", n(a.chunks), n(b.chunks));
  add("microbatch", n(a.microbatch_size), n(b.microbatch_size));
  add("schedule", std::string(schedule_info(a.schedule).name), std::string(schedule_info(b.schedule).name));
  add("recompute", std::string(recompute_name(a.recompute)), std::string(recompute_name(b.recompute)));
  add("ZeRO", n(a.zero), n(b.zero));
  return out;
}

// Step time (up) against peak memory per GPU (across): the front and the
// ranked rows; a click on a dot loads its layout.
void scatter(const PlanResult& r, double cap_gib, UiActions& actions, WidgetRects& rects) {
  std::vector<const PlannedLayout*> dots;
  for (const PlannedLayout& f : r.front) dots.push_back(&f);
  for (const PlannedLayout& f : r.ranked) dots.push_back(&f);
  if (dots.size() < 2) return;
  double x0 = cap_gib, x1 = cap_gib;
  double y0 = static_cast<double>(dots.front()->makespan), y1 = y0;
  for (const PlannedLayout* d : dots) {
    x0 = std::min(x0, d->peak_memory_bytes / kGiB), x1 = std::max(x1, d->peak_memory_bytes / kGiB);
    y0 = std::min(y0, static_cast<double>(d->makespan)), y1 = std::max(y1, static_cast<double>(d->makespan));
  }
  // Time on a log axis: the front spans several times the fastest.
  const double ly0 = std::log(y0), ly1 = std::max(std::log(y1), ly0 + 1e-6);
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetFontSize() * 8;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton("planner-scatter", ImVec2(w, h));
  remember(rects, "planner:scatter");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(at, ImVec2(at.x + w, at.y + h), IM_COL32(245, 245, 245, 255));
  const float pad = ImGui::GetFontSize() * 0.6f;
  auto px = [&](double gib) { return at.x + pad + static_cast<float>((gib - x0) / std::max(x1 - x0, 1e-9)) * (w - 2 * pad); };
  auto py = [&](double t) { return at.y + h - pad - static_cast<float>((std::log(t) - ly0) / (ly1 - ly0)) * (h - 2 * pad); };
  draw->AddLine(ImVec2(px(cap_gib), at.y), ImVec2(px(cap_gib), at.y + h), IM_COL32(120, 120, 120, 255), 1.0f);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const PlannedLayout* hovered = nullptr;
  for (std::size_t i = 0; i < dots.size(); ++i) {
    const PlannedLayout& d = *dots[i];
    const ImVec2 p(px(d.peak_memory_bytes / kGiB), py(static_cast<double>(d.makespan)));
    const bool ranked = i >= r.front.size();
    const bool over = ImGui::IsItemHovered() && std::abs(mouse.x - p.x) < pad * 0.8f && std::abs(mouse.y - p.y) < pad * 0.8f;
    if (over) hovered = &d;
    const ImU32 colour = !d.fits ? IM_COL32(210, 50, 40, 255) : ranked ? IM_COL32(30, 90, 200, 255) : IM_COL32(40, 150, 60, 255);
    draw->AddCircleFilled(p, (over ? 0.7f : ranked ? 0.5f : 0.4f) * pad, colour);
  }
  const std::string top = step_text(static_cast<std::int64_t>(y1));
  draw->AddText(ImVec2(at.x + w - ImGui::CalcTextSize(top.c_str()).x - 2, at.y + 1), IM_COL32(80, 80, 80, 255), top.c_str());
  draw->AddText(ImVec2(at.x + 3, at.y + 1), IM_COL32(80, 80, 80, 255), "step (log)");
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("across: memory a GPU, %s to %s (the line: the GPU's %s); fastest %s. Blue: the ranked rows; "
                      "green: the front (no layout smaller and faster); red: over the GPU's memory",
                      bytes_text(x0 * kGiB).c_str(), bytes_text(x1 * kGiB).c_str(), bytes_text(cap_gib * kGiB).c_str(),
                      step_text(static_cast<std::int64_t>(y0)).c_str());
  ImGui::PopTextWrapPos();
  if (hovered != nullptr) {
    if (clicked) actions.load_layout = hovered->layout;
    ImGui::SetTooltip("%s\nstep %s, %s a GPU (%s)\nclick to load it", layout_text(hovered->layout).c_str(),
                      step_text(hovered->makespan).c_str(), bytes_text(hovered->peak_memory_bytes).c_str(),
                      hovered->fits ? "fits" : "over the GPU's memory");
  }
}

}  // namespace

void planner_section(PlannerPanel& panel, const PlannerPanelInput& in, UiActions& actions, WidgetRects& rects) {
  const bool open = ImGui::CollapsingHeader("Planner");
  remember(rects, "planner:header");
  // The section sits low in the panel: opening it scrolls it into view.
  if (ImGui::IsItemToggledOpen() && open) ImGui::SetScrollHereY(0.0f);
  if (!open) return;
  if (in.scene.model != CostModel::Transformer) {
    ImGui::TextWrapped("The planner lays out a transformer on real GPUs: set model to transformer in Parameters "
                       "(or open a preset such as llama3-70b-h100).");
    return;
  }
  const auto& s = in.search;
  if (panel.gpus <= 0) panel.gpus = static_cast<int>(std::min(in.scene.gpus(), 1e6));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("GPUs##planner", &panel.gpus, 0);
  remember(rects, "planner:gpus");
  // Not clamped: a count the planner cannot use is said by it, in red below.
  ImGui::SameLine();
  if (s.running) {
    if (ImGui::Button("Cancel##planner")) actions.cancel_plan = true;
    remember(rects, "planner:cancel");
  } else {
    if (ImGui::Button("Plan")) {
      actions.start_plan = panel.gpus;
      panel.loaded = panel.compared = -1;
    }
    remember(rects, "planner:plan");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("every layout of this model on these GPUs (tp, cp, ep, pp, dp, microbatches, recomputation, "
                        "ZeRO, schedule), simulated; the fastest that fit (pipescope plan)");
    }
  }
  if (!s.started) return;
  const PlanResult& r = s.result;
  ImGui::TextDisabled("%s%lld layouts, %lld simulated, %.1f s", s.running ? "searching: " : "",
                      static_cast<long long>(r.evaluated), static_cast<long long>(r.simulated), r.seconds);
  if (!s.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
    ImGui::TextWrapped("%s", s.error.c_str());
    ImGui::PopStyleColor();
    return;
  }
  if (r.ranked.empty()) return;
  scatter(r, in.scene.gpu_memory_gib, actions, rects);
  if (ImGui::BeginTable("planner-rows", 5, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("vs");
    ImGui::TableSetupColumn("#");
    ImGui::TableSetupColumn("step");
    ImGui::TableSetupColumn("GiB");
    ImGui::TableSetupColumn("layout (click to load)", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (std::size_t i = 0; i < r.ranked.size(); ++i) {
      const PlannedLayout& row = r.ranked[i];
      const int index = static_cast<int>(i);
      ImGui::PushID(index);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (ImGui::RadioButton("##vs", panel.compared == index)) panel.compared = panel.compared == index ? -1 : index;
      ImGui::TableNextColumn();
      if (ImGui::Selectable(std::to_string(i + 1).c_str(), panel.loaded == index,
                            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        panel.loaded = index;
        actions.load_layout = row.layout;
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(step_text(row.makespan).c_str());
      remember(rects, fmt::format("planner:row{}", i));  // a click on the text is a click on the row
      ImGui::TableNextColumn();
      ImGui::Text("%.1f", row.peak_memory_bytes / kGiB);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", layout_text(row.layout).c_str());
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (panel.loaded >= 0 && !in.refused.empty()) {
    // A layout the planner ranks may still be too large to draw (the scene's caps).
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
    ImGui::TextWrapped("row %d is not drawn: %s. `pipescope stats` with its flags gives its figures.", panel.loaded + 1,
                       in.refused.front().message.c_str());
    ImGui::PopStyleColor();
  }
  const auto n = static_cast<int>(r.ranked.size());
  if (panel.loaded >= 0 && panel.compared >= 0 && panel.loaded < n && panel.compared < n && panel.loaded != panel.compared) {
    const PlannedLayout &a = r.ranked[static_cast<std::size_t>(panel.loaded)], &b = r.ranked[static_cast<std::size_t>(panel.compared)];
    const double faster = static_cast<double>(b.makespan) / static_cast<double>(a.makespan) - 1;
    ImGui::TextWrapped("row %d vs %d: %s %.1f %% %s, %s %s memory a GPU; %s", panel.loaded + 1, panel.compared + 1,
                       step_text(a.makespan).c_str(), 100 * std::abs(faster), faster >= 0 ? "faster" : "slower",
                       bytes_text(std::abs(a.peak_memory_bytes - b.peak_memory_bytes)).c_str(),
                       a.peak_memory_bytes <= b.peak_memory_bytes ? "less" : "more",
                       differences(b.layout, a.layout).c_str());
  } else if (panel.compared >= 0) {
    ImGui::TextDisabled("click a row to load it; it is compared with the row marked vs");
  }
}

}  // namespace pipescope::app
