#include "metrics_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "pipescope/render/style.hpp"

namespace pipescope::app {

namespace {

void figure(const char* name, double share, const char* explanation) {
  ImGui::Text("%-24s %5.1f %%", name, 100.0 * share);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", explanation);
}

std::string bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

ImU32 rank_colour(std::size_t r) {
  const glm::vec3 c = rank_tint(static_cast<int>(r));
  return IM_COL32(static_cast<int>(c.r * 255), static_cast<int>(c.g * 255), static_cast<int>(c.b * 255), 255);
}

}  // namespace

std::optional<std::uint32_t> metrics_section(const MetricsInput& in, WidgetRects& rects) {
  if (!ImGui::CollapsingHeader("Schedule metrics", ImGuiTreeNodeFlags_DefaultOpen)) return std::nullopt;
  const ScheduleStats& st = in.stats;
  if (in.dtype_bytes != nullptr) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt("bytes per element", in.dtype_bytes);
    *in.dtype_bytes = std::clamp(*in.dtype_bytes, 1, 64);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The activations' and gradients' data type: 2 for bf16, 4 for fp32");
  }
  ImGui::Text("makespan %lld frames", static_cast<long long>(st.makespan));
  figure("bubble, idle / compute", st.bubble_idle_over_compute,
         "Total idle over total compute, as Megatron and most papers count it (1F1B with instant sends: (p-1)/m)");
  figure("bubble, idle / wall", st.bubble_idle_over_wall,
         "Total idle over ranks x makespan: the share of GPU time lost");
  figure("bubble, playground", st.bubble_playground,
         "1 - a rank's compute / the longest rank's own span, as the zero-bubble playground reports it");
  if (ImGui::BeginTable("ranks", 3, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("rank");
    ImGui::TableSetupColumn("busy");
    ImGui::TableSetupColumn("peak activations");
    ImGui::TableHeadersRow();
    for (std::size_t r = 0; r < st.ranks.size(); ++r) {
      const RankStats& rs = st.ranks[r];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(rank_colour(r)), "GPU %zu", r);
      ImGui::TableNextColumn();
      ImGui::Text("%.0f %%", st.makespan > 0 ? 100.0 * static_cast<double>(rs.busy) / static_cast<double>(st.makespan) : 0.0);
      ImGui::TableNextColumn();
      ImGui::Text("%.0f mb-layers, %s", rs.peak_activations, bytes(rs.peak_activation_bytes).c_str());
    }
    ImGui::EndTable();
  }
  if (in.compare != nullptr && ImGui::BeginTable("compare", 4, ImGuiTableFlags_SizingStretchProp)) {
    // Side by side with the compared schedule, and the difference.
    const ScheduleStats& b = *in.compare;
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn(in.name.c_str());
    ImGui::TableSetupColumn(in.compare_name.c_str());
    ImGui::TableSetupColumn("difference");
    ImGui::TableHeadersRow();
    auto row = [](const char* what, double a, double c, int decimals) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(what);
      ImGui::TableNextColumn();
      ImGui::Text("%.*f", decimals, a);
      ImGui::TableNextColumn();
      ImGui::Text("%.*f", decimals, c);
      ImGui::TableNextColumn();
      ImGui::Text("%+.*f", decimals, c - a);  // the difference, signed
    };
    auto peak = [](const ScheduleStats& s) {
      double m = 0;
      for (const auto& r : s.ranks) m = std::max(m, r.peak_activations);
      return m;
    };
    row("makespan", static_cast<double>(st.makespan), static_cast<double>(b.makespan), 0);
    row("bubble idle/compute %", 100 * st.bubble_idle_over_compute, 100 * b.bubble_idle_over_compute, 1);
    row("bubble idle/wall %", 100 * st.bubble_idle_over_wall, 100 * b.bubble_idle_over_wall, 1);
    row("bubble playground %", 100 * st.bubble_playground, 100 * b.bubble_playground, 1);
    row("peak mb-layers", peak(st), peak(b), 0);
    ImGui::EndTable();
  }
  ImGui::Text("pipeline %lld msgs, %s", static_cast<long long>(st.pipeline_messages), bytes(st.pipeline_bytes).c_str());
  ImGui::Text("data parallel %lld msgs, %s", static_cast<long long>(st.dp_messages), bytes(st.dp_bytes).c_str());

  ImGui::TextDisabled("activations stored, per rank (click to seek)");
  MetricsInput first = in;  // both plots on one time axis when comparing
  if (in.compare != nullptr) first.axis_frames = std::max(in.stats.makespan, in.compare->makespan);
  auto seek = memory_plot(first, ImGui::GetFontSize() * 6, rects);
  if (in.compare != nullptr && in.compare_memory != nullptr) {
    // The compared schedule's memory under the first, on the same time axis.
    ImGui::TextDisabled("%s, activations stored", in.compare_name.c_str());
    const std::int64_t axis = std::max(in.stats.makespan, in.compare->makespan);
    const MetricsInput other{*in.compare, *in.compare_memory, in.bytes_per_microbatch_layer, in.frame, in.last, nullptr,
                             "", "", nullptr, nullptr, axis};
    ImGui::PushID("compare");
    if (auto to = memory_plot(other, ImGui::GetFontSize() * 6, rects)) seek = to;
    ImGui::PopID();
  }
  return seek;
}

std::optional<std::uint32_t> memory_plot(const MetricsInput& in, float height, WidgetRects& rects, float left) {
  const ScheduleStats& st = in.stats;
  // Activation memory over time: a step line per rank.
  if (left > 0) ImGui::Indent(left);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  ImGui::InvisibleButton("memory", ImVec2(width, height));
  if (left > 0) ImGui::Unindent(left);
  {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects["memory"] = glm::vec4(a.x, a.y, b.x, b.y);
  }
  std::optional<std::uint32_t> seek;
  const double span = std::max<double>(static_cast<double>(in.axis_frames > 0 ? in.axis_frames : st.makespan), 1.0);
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    const double t = std::clamp((ImGui::GetIO().MousePos.x - origin.x) / width, 0.0f, 1.0f) * span;
    seek = static_cast<std::uint32_t>(std::min<double>(t + 1, in.last));
  }
  double top = 1;
  for (const auto& rank : in.memory) {
    for (const auto& p : rank) top = std::max(top, p.microbatch_layers);
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), IM_COL32(250, 250, 250, 255));
  auto x_of = [&](double t) { return origin.x + static_cast<float>(t / span) * width; };
  auto y_of = [&](double v) { return origin.y + height - 2 - static_cast<float>(v / top) * (height - 4); };
  for (std::size_t r = 0; r < in.memory.size(); ++r) {
    const auto& pts = in.memory[r];
    const ImU32 c = rank_colour(r);
    double peak = 0, peak_t = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const double t_end = i + 1 < pts.size() ? static_cast<double>(pts[i + 1].time) : span;
      const float y = y_of(pts[i].microbatch_layers);
      draw->AddLine(ImVec2(x_of(static_cast<double>(pts[i].time)), y), ImVec2(x_of(t_end), y), c, 1.5f);
      if (i + 1 < pts.size()) draw->AddLine(ImVec2(x_of(t_end), y), ImVec2(x_of(t_end), y_of(pts[i + 1].microbatch_layers)), c, 1.0f);
      if (pts[i].microbatch_layers > peak) peak = pts[i].microbatch_layers, peak_t = static_cast<double>(pts[i].time);
    }
    draw->AddCircleFilled(ImVec2(x_of(peak_t), y_of(peak)), 3.0f, c);  // this rank's peak
  }
  const float px = x_of(static_cast<double>(in.frame) - 0.5);
  draw->AddLine(ImVec2(px, origin.y), ImVec2(px, origin.y + height), IM_COL32(20, 20, 20, 255), 1.5f);
  if (ImGui::IsItemHovered()) {
    const double t = (ImGui::GetIO().MousePos.x - origin.x) / width * span;
    std::string tip = "frame " + std::to_string(static_cast<long long>(t) + 1);
    for (std::size_t r = 0; r < in.memory.size(); ++r) {
      const auto& pts = in.memory[r];
      auto it = std::upper_bound(pts.begin(), pts.end(), t, [](double v, const MemoryPoint& p) { return v < static_cast<double>(p.time); });
      const double v = it == pts.begin() ? 0 : std::prev(it)->microbatch_layers;
      tip += "\nGPU " + std::to_string(r) + ": " + std::to_string(static_cast<long long>(v)) + " microbatch-layers, " +
             bytes(v * in.bytes_per_microbatch_layer);
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  return seek;
}

}  // namespace pipescope::app
