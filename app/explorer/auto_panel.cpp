#include "auto_panel.hpp"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "imgui_rects.hpp"
#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

// Makespan (up) against the cap (across), a dot a cap; the scene's cap a line.
void curve_plot(const AutoPanelInput& in, UiActions& actions, WidgetRects& rects) {
  const auto& curve = in.search.curve;
  if (curve.size() < 2) {
    ImGui::TextDisabled(in.search.running ? "makespan over memory: searching each cap..." : "makespan over memory: -");
    return;
  }
  const TimeUnit u = in.plan.costs.unit;
  double x0 = curve.front().cap_gib, x1 = curve.front().cap_gib;
  std::int64_t y0 = curve.front().makespan, y1 = y0;
  for (const CapPoint& c : curve) {
    x0 = std::min(x0, c.cap_gib), x1 = std::max(x1, c.cap_gib);
    y0 = std::min(y0, c.makespan), y1 = std::max(y1, c.makespan);
  }
  x0 = std::min(x0, in.cap_gib), x1 = std::max(x1, in.cap_gib);
  if (y1 == y0) y1 = y0 + 1;
  ImGui::TextWrapped("makespan over the GPU's memory (click a cap to use it; red: the scene's)");
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetFontSize() * 6;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  // True on the frame a click on it is released: the point under the mouse is chosen.
  const bool clicked = ImGui::InvisibleButton("auto-curve", ImVec2(w, h));
  remember(rects, "auto:curve");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(at, ImVec2(at.x + w, at.y + h), IM_COL32(245, 245, 245, 255));
  const float pad = ImGui::GetFontSize() * 0.6f;
  auto px = [&](double gib) { return at.x + pad + static_cast<float>((gib - x0) / std::max(x1 - x0, 1e-9)) * (w - 2 * pad); };
  auto py = [&](std::int64_t t) {
    return at.y + h - pad - static_cast<float>(static_cast<double>(t - y0) / static_cast<double>(y1 - y0)) * (h - 2 * pad);
  };
  draw->AddLine(ImVec2(px(in.cap_gib), at.y), ImVec2(px(in.cap_gib), at.y + h), IM_COL32(200, 40, 40, 255), 1.5f);
  int hovered = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const ImVec2 p(px(curve[i].cap_gib), py(curve[i].makespan));
    if (i > 0) draw->AddLine(ImVec2(px(curve[i - 1].cap_gib), py(curve[i - 1].makespan)), p, IM_COL32(90, 90, 160, 255), 1.5f);
    const bool over = ImGui::IsItemHovered() && std::abs(mouse.x - p.x) < pad && std::abs(mouse.y - p.y) < 2 * pad;
    if (over) hovered = static_cast<int>(i);
    draw->AddCircleFilled(p, over ? pad * 0.7f : pad * 0.45f, IM_COL32(40, 40, 140, 255));
  }
  // The slowest makespan at the top right; the caps and the fastest beneath.
  const std::string top = duration_text(u, static_cast<double>(y1));
  draw->AddText(ImVec2(at.x + w - ImGui::CalcTextSize(top.c_str()).x - 2, at.y + 1), IM_COL32(80, 80, 80, 255), top.c_str());
  ImGui::TextDisabled("caps %s to %s; fastest %s", bytes_text(x0 * 1073741824.0).c_str(),
                      bytes_text(x1 * 1073741824.0).c_str(), duration_text(u, static_cast<double>(y0)).c_str());
  if (hovered >= 0) {
    const CapPoint& c = curve[static_cast<std::size_t>(hovered)];
    if (clicked) actions.auto_cap = c.cap_gib;
    ImGui::SetTooltip("cap %s: %s, bubble %.1f %% (idle / compute)\n%s\nclick to use this cap",
                      bytes_text(c.cap_gib * 1073741824.0).c_str(), duration_text(u, static_cast<double>(c.makespan)).c_str(),
                      100 * c.bubble, c.found_by.c_str());
  }
}

}  // namespace

void auto_section(const AutoPanelInput& in, UiActions& actions, WidgetRects& rects) {
  if (!in.plan.auto_result || !ImGui::CollapsingHeader("Auto-schedule", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const AutoResult& a = *in.plan.auto_result;
  const TimeUnit u = in.plan.costs.unit;
  ImGui::TextWrapped("found: %s (%d orders tried)", a.best.name.c_str(), a.evaluated);
  if (a.binding_rank >= 0) {
    ImGui::TextWrapped("binding: memory on rank %d; without the cap it could take %s", a.binding_rank,
                       duration_text(u, static_cast<double>(a.uncapped_makespan)).c_str());
  } else {
    ImGui::TextWrapped("binding: the dependencies (nothing found without the cap is faster)");
  }
  if (ImGui::BeginTable("auto-zoo", 3, ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"schedule", "makespan", "memory"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    auto row = [&](const std::string& name, std::int64_t makespan, bool fits, bool bold) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted((bold ? "auto" : name).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(duration_text(u, static_cast<double>(makespan)).c_str());
      ImGui::TableNextColumn();
      if (fits) ImGui::TextUnformatted("fits");
      else ImGui::TextColored(kErrorColour, "OVER");
    };
    row("auto", in.plan.timing.makespan, true, true);
    for (const AutoCandidate& z : a.zoo) row(z.name, z.makespan, z.fits, false);
    ImGui::EndTable();
  }
  curve_plot(in, actions, rects);
  const auto& s = in.search;
  if (s.better) {
    ImGui::TextWrapped("a longer search found %s (%.1f %% faster)",
                       duration_text(u, static_cast<double>(s.better->makespan)).c_str(),
                       100.0 * static_cast<double>(in.plan.timing.makespan - s.better->makespan) /
                           static_cast<double>(in.plan.timing.makespan));
    if (ImGui::Button("Load it")) actions.load_auto_search = true;
    remember(rects, "auto:load");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("use the order it found as the scene's schedule (a schedule file)");
  } else if (s.running) {
    ImGui::TextDisabled("searching longer for a faster order...");
  } else if (s.evaluated > 0) {
    ImGui::TextDisabled("a longer search (%d orders) found nothing faster", s.evaluated);
  }
}

}  // namespace pipescope::app
