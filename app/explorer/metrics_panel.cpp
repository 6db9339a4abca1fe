#include "metrics_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "pipescope/render/style.hpp"
#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

// Where a measured step's time went, per rank: computing, waiting on a
// peer (which one most), inside sends and receives beyond the fastest one,
// and gaps with nothing in the trace; the straggler named.
void split_table(const MeasuredSplit& split) {
  // Three figures a time, so that five columns fit the side panel.
  const auto t = [](std::int64_t ns) {
    const double us = static_cast<double>(ns) / 1000;
    char buf[32];
    if (us < 1000) std::snprintf(buf, sizeof buf, "%.0f us", us);
    else if (us < 100'000) std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
    else if (us < 1'000'000) std::snprintf(buf, sizeof buf, "%.0f ms", us / 1000);
    else std::snprintf(buf, sizeof buf, "%.2f s", us / 1e6);
    return std::string(buf);
  };
  ImGui::TextUnformatted("where the measured step's time went");
  const char* legend =
      "busy: computing (ideal: the same passes at the median costs)\non peers: idle until an input from another rank "
      "was made\nbeyond: inside sends and receives, past the fastest transfer of the step\nnothing: gaps the trace "
      "shows nothing in, and the drain after the rank's last pass";
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", legend);
  if (ImGui::BeginTable("split", 5, ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"rank", "busy", "on peers", "beyond", "nothing"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const RankSplit& r : split.ranks) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", r.rank);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t(r.busy).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("ideal %s", t(r.ideal_busy).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t(r.waiting_on_peers).c_str());
      if (ImGui::IsItemHovered() && r.waiting_on_peers > 0) {
        std::string most;
        for (std::size_t q = 0; q < r.waiting_on.size(); ++q) {
          if (r.waiting_on[q] > 0) most += "rank " + std::to_string(q) + ": " + t(r.waiting_on[q]) + "\n";
        }
        ImGui::SetTooltip("waited on\n%s", most.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t(r.comm_beyond).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t(r.nothing + r.drain).c_str());
    }
    ImGui::EndTable();
  }
  // Named only when slower than the peers by more than their spread (measured_plan.hpp).
  if (split.straggler >= 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("straggler: rank %d computes %.2f x its peers a microbatch (middle half %.1f-%.1f ms, theirs "
                       "%.1f-%.1f ms)",
                       split.straggler, split.straggler_ratio, split.slowest_q1 / 1e6, split.slowest_q3 / 1e6,
                       split.peers_q1 / 1e6, split.peers_q3 / 1e6);
    ImGui::PopStyleColor();
  } else if (split.slowest >= 0) {
    ImGui::TextWrapped("no straggler: the slowest, rank %d, computes %.2f x its peers a microbatch, within their "
                       "spread (middle half %.1f-%.1f ms, theirs %.1f-%.1f ms)",
                       split.slowest, split.straggler_ratio, split.slowest_q1 / 1e6, split.slowest_q3 / 1e6,
                       split.peers_q1 / 1e6, split.peers_q3 / 1e6);
  }
}

void figure(const char* name, double share, const char* explanation) {
  ImGui::Text("%-24s %5.1f %%", name, 100.0 * share);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", explanation);
}

std::string bytes(double b) { return bytes_text(b); }

std::string rank_name(const MetricsInput& in, std::size_t r) {
  return in.lanes && r < in.lanes->size() ? (*in.lanes)[r].label : "GPU " + std::to_string(r);
}

ImU32 rank_colour(std::size_t r) {
  const glm::vec3 c = rank_tint(static_cast<int>(r));
  return IM_COL32(static_cast<int>(c.r * 255), static_cast<int>(c.g * 255), static_cast<int>(c.b * 255), 255);
}

// Where each rank's step goes, as a bar: its passes' own work, the forward
// work recomputation re-runs, tensor-, context- and expert-parallel and FSDP
// communication inside the passes, and idle (bubble, waits, the optimizer).
void time_split_bars(const MetricsInput& in) {
  const ScheduleStats& st = in.stats;
  if (st.makespan <= 0 || st.ranks.empty()) return;
  struct Kind {
    const char* name;
    ImU32 colour;
    std::int64_t RankStats::*field;  // nullptr: compute() or idle
  };
  static const Kind kKinds[] = {
      {"compute", IM_COL32(60, 150, 80, 255), nullptr},
      {"recompute", IM_COL32(160, 160, 50, 255), &RankStats::recompute},
      {"tp", IM_COL32(60, 100, 210, 255), &RankStats::tp_communication},
      {"cp", IM_COL32(140, 80, 190, 255), &RankStats::cp_communication},
      {"ep", IM_COL32(30, 160, 160, 255), &RankStats::ep_communication},
      {"fsdp", IM_COL32(225, 140, 40, 255), &RankStats::fsdp_communication},
      {"idle", IM_COL32(205, 205, 205, 255), &RankStats::idle},
  };
  auto time_of = [](const RankStats& rs, const Kind& k) { return k.field ? rs.*k.field : rs.compute(); };
  ImGui::TextDisabled("where each rank's step goes");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float h = ImGui::GetFontSize() * 0.8f;
  float label_w = 0;
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    label_w = std::max(label_w, ImGui::CalcTextSize(rank_name(in, r).c_str()).x);
  }
  label_w += ImGui::GetFontSize() * 0.5f;
  std::int64_t totals[std::size(kKinds)] = {};
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    const RankStats& rs = st.ranks[r];
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x - label_w;
    ImGui::TextUnformatted(rank_name(in, r).c_str());
    ImGui::SameLine(label_w);
    ImGui::InvisibleButton(("split" + std::to_string(r)).c_str(), ImVec2(std::max(w, 1.0f), h));
    float x = at.x + label_w;
    std::string tip = rank_name(in, r) + ":";
    for (std::size_t k = 0; k < std::size(kKinds); ++k) {
      const std::int64_t t = time_of(rs, kKinds[k]);
      totals[k] += t;
      if (t <= 0) continue;
      const float dx = w * static_cast<float>(t) / static_cast<float>(st.makespan);
      draw->AddRectFilled(ImVec2(x, at.y + 1), ImVec2(x + dx, at.y + h), kKinds[k].colour);
      x += dx;
      tip += fmt::format(" {} {:.1f} %", kKinds[k].name, 100.0 * static_cast<double>(t) / static_cast<double>(st.makespan));
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip.c_str());
  }
  // The legend: the kinds present, with their share of all ranks' time.
  const double all = static_cast<double>(st.makespan) * static_cast<double>(st.ranks.size());
  bool first = true;
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    if (totals[k] <= 0) continue;
    const float s = ImGui::GetFontSize() * 0.7f;
    const std::string text = fmt::format("{} {:.0f}%", kKinds[k].name, 100.0 * static_cast<double>(totals[k]) / all);
    const float item = s + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(text.c_str()).x;
    if (!first) {
      ImGui::SameLine();
      // A new line where the next does not fit.
      if (ImGui::GetContentRegionAvail().x < item) ImGui::NewLine();
    }
    first = false;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    draw->AddRectFilled(ImVec2(p.x, p.y + s * 0.3f), ImVec2(p.x + s, p.y + s * 1.3f), kKinds[k].colour);
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine();
    ImGui::TextUnformatted(text.c_str());
  }
}

// The fullest GPU's memory over the step, stacked as it fills: weights,
// gradients, optimizer state and the framework's overhead (fixed for the
// step), then the activations its schedule stores, under the GPU's memory.
void stacked_memory_plot(const MetricsInput& in) {
  const ScheduleStats& st = in.stats;
  std::size_t fullest = 0;
  for (std::size_t r = 0; r < st.ranks.size(); ++r) {
    if (st.ranks[r].peak_memory_bytes > st.ranks[fullest].peak_memory_bytes) fullest = r;
  }
  if (fullest >= in.memory.size() || st.makespan <= 0) return;
  const RankStats& rs = st.ranks[fullest];
  ImGui::TextDisabled("%s, the fullest GPU's memory, stacked", rank_name(in, fullest).c_str());
  const float font = ImGui::GetFontSize(), margin = font * 3.2f;
  const ImVec2 box = ImGui::GetCursorScreenPos();
  const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x - margin), height = font * 5;
  ImGui::Dummy(ImVec2(width + margin, height));
  const ImVec2 origin(box.x + margin, box.y);
  const double top = std::max(st.gpu_memory_bytes, rs.peak_memory_bytes) * 1.05;
  auto x_of = [&](double t) { return origin.x + static_cast<float>(t / static_cast<double>(st.makespan)) * width; };
  auto y_of = [&](double v) { return origin.y + height - static_cast<float>(v / top) * height; };
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), IM_COL32(250, 250, 250, 255));
  struct Band {
    const char* name;
    double bytes;
    ImU32 colour;
  };
  const Band bands[] = {{"weights", rs.weights_bytes, IM_COL32(70, 110, 200, 255)},
                        {"gradients", rs.gradients_bytes, IM_COL32(130, 170, 235, 255)},
                        {"optimizer", rs.optimizer_bytes, IM_COL32(235, 165, 60, 255)},
                        {"overhead", rs.overhead_bytes, IM_COL32(165, 165, 165, 255)}};
  double base = 0;
  for (const Band& b : bands) {
    if (b.bytes <= 0) continue;
    draw->AddRectFilled(ImVec2(origin.x, y_of(base + b.bytes)), ImVec2(origin.x + width, y_of(base)), b.colour);
    base += b.bytes;
  }
  const ImU32 activations = IM_COL32(80, 165, 90, 255);
  const auto& pts = in.memory[fullest];
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const double t_end = i + 1 < pts.size() ? static_cast<double>(pts[i + 1].time) : static_cast<double>(st.makespan);
    if (pts[i].bytes <= 0 || t_end <= static_cast<double>(pts[i].time)) continue;
    draw->AddRectFilled(ImVec2(x_of(static_cast<double>(pts[i].time)), y_of(base + pts[i].bytes)),
                        ImVec2(std::max(x_of(t_end), x_of(static_cast<double>(pts[i].time)) + 1), y_of(base)), activations);
  }
  const float cap_y = y_of(st.gpu_memory_bytes);
  draw->AddLine(ImVec2(origin.x, cap_y), ImVec2(origin.x + width, cap_y), IM_COL32(210, 30, 30, 255), 1.5f);
  const ImU32 ink = IM_COL32(90, 90, 90, 255);
  draw->AddText(ImVec2(box.x, cap_y - font * 0.5f), ink, bytes(st.gpu_memory_bytes).c_str());
  draw->AddText(ImVec2(box.x, y_of(0) - font), ink, "0 B");
  // The legend, with each part's size (activations at their peak).
  bool first = true;
  for (const Band& b : {bands[0], bands[1], bands[2], bands[3], Band{"activations", rs.peak_activation_bytes, activations}}) {
    if (b.bytes <= 0) continue;
    const float s = font * 0.7f;
    const std::string text = fmt::format("{} {}", b.name, bytes(b.bytes));
    const float item = s + ImGui::GetStyle().ItemSpacing.x * 2 + ImGui::CalcTextSize(text.c_str()).x;
    if (!first) {
      ImGui::SameLine();
      if (ImGui::GetContentRegionAvail().x < item) ImGui::NewLine();
    }
    first = false;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    draw->AddRectFilled(ImVec2(p.x, p.y + s * 0.3f), ImVec2(p.x + s, p.y + s * 1.3f), b.colour);
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine();
    ImGui::TextUnformatted(text.c_str());
  }
}

}  // namespace

std::optional<std::uint32_t> metrics_section(const MetricsInput& in, WidgetRects& rects) {
  if (!ImGui::CollapsingHeader("Schedule metrics", ImGuiTreeNodeFlags_DefaultOpen)) return std::nullopt;
  const ScheduleStats& st = in.stats;
  auto time = [&](double t) { return duration_text(st.unit, t); };
  ImGui::Text("makespan %s", time(static_cast<double>(st.makespan)).c_str());
  figure("bubble, idle / compute", st.bubble_idle_over_compute,
         "Total idle over total compute, as Megatron and most papers count it (1F1B with instant sends: (p-1)/m)");
  figure("bubble, idle / wall", st.bubble_idle_over_wall,
         "Total idle over ranks x makespan: the share of GPU time lost");
  figure("bubble, playground", st.bubble_playground,
         "1 - a rank's compute / the longest rank's own span, as the zero-bubble playground reports it");
  if (ImGui::BeginTable("ranks", 3, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("rank");
    ImGui::TableSetupColumn("busy");
    ImGui::TableSetupColumn("peak memory");
    ImGui::TableHeadersRow();
    for (std::size_t r = 0; r < st.ranks.size(); ++r) {
      const RankStats& rs = st.ranks[r];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(rank_colour(r)), "%s", rank_name(in, r).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.0f %%", st.makespan > 0 ? 100.0 * static_cast<double>(rs.busy) / static_cast<double>(st.makespan) : 0.0);
      ImGui::TableNextColumn();
      const std::string peak =
          in.split != nullptr ? "-" : bytes(rs.peak_memory_bytes) + (rs.over_memory ? " OVER" : "");
      if (rs.over_memory) {
        ImGui::TextColored(ImVec4(0.85f, 0.1f, 0.1f, 1), "%s", peak.c_str());
      } else {
        ImGui::TextUnformatted(peak.c_str());
      }
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("one GPU: weights %s + gradients %s + optimizer %s + overhead %s\n+ activations %s (%.0f "
                          "microbatch-layers at peak)\nGPU memory %s",
                          bytes(rs.weights_bytes).c_str(), bytes(rs.gradients_bytes).c_str(),
                          bytes(rs.optimizer_bytes).c_str(), bytes(rs.overhead_bytes).c_str(),
                          bytes(rs.peak_activation_bytes).c_str(), rs.peak_activations,
                          bytes(st.gpu_memory_bytes).c_str());
      }
    }
    ImGui::EndTable();
  }
  if (in.split == nullptr && in.stats.unit == TimeUnit::Nanoseconds) time_split_bars(in);
  if (in.compare != nullptr && ImGui::BeginTable("compare", 4, ImGuiTableFlags_SizingFixedFit)) {
    // Side by side with the compared schedule, and the difference.
    const ScheduleStats& b = *in.compare;
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn(in.name.c_str());
    ImGui::TableSetupColumn(in.compare_name.c_str());
    ImGui::TableSetupColumn("change");
    ImGui::TableHeadersRow();
    auto row = [](const char* what, const std::string& a, const std::string& c, const std::string& d) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(what);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(a.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(d.c_str());
    };
    auto pct = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f %%", 100 * v);
      return std::string(buf);
    };
    auto signed_pct = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%+.1f pt", 100 * v);  // percentage points
      return std::string(buf);
    };
    auto peak = [](const ScheduleStats& s) {
      double m = 0;
      for (const auto& r : s.ranks) m = std::max(m, r.peak_memory_bytes);
      return m;
    };
    // The makespan's change relative (short enough for the panel; the
    // absolute times are beside it).
    char change[32];
    std::snprintf(change, sizeof change, "%+.1f %%",
                  st.makespan > 0 ? 100.0 * static_cast<double>(b.makespan - st.makespan) / static_cast<double>(st.makespan)
                                  : 0.0);
    row("makespan", time(static_cast<double>(st.makespan)), duration_text(b.unit, static_cast<double>(b.makespan)),
        change);
    row("idle/compute", pct(st.bubble_idle_over_compute), pct(b.bubble_idle_over_compute),
        signed_pct(b.bubble_idle_over_compute - st.bubble_idle_over_compute));
    row("idle/wall", pct(st.bubble_idle_over_wall), pct(b.bubble_idle_over_wall),
        signed_pct(b.bubble_idle_over_wall - st.bubble_idle_over_wall));
    row("playground", pct(st.bubble_playground), pct(b.bubble_playground),
        signed_pct(b.bubble_playground - st.bubble_playground));
    const double dp = peak(b) - peak(st);
    if (in.split == nullptr) row("peak memory", bytes(peak(st)), bytes(peak(b)), (dp >= 0 ? "+" : "") + bytes(dp));
    ImGui::EndTable();
  }
  if (in.split != nullptr) split_table(*in.split);
  if (in.split != nullptr) {
    // A measured step's trace has times, not the model's sizes: its bytes
    // would be the notebook's toy figures.
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("no memory or traffic figures: a measured trace holds times, not the model's sizes");
    ImGui::PopTextWrapPos();
    return std::nullopt;
  }
  ImGui::Text("pipeline %lld msgs, %s", static_cast<long long>(st.pipeline_messages), bytes(st.pipeline_bytes).c_str());
  ImGui::Text("data parallel %lld msgs, %s", static_cast<long long>(st.dp_messages), bytes(st.dp_bytes).c_str());

  ImGui::TextDisabled("memory per rank, static + activations (click to seek)");
  MetricsInput first = in;  // both plots on one time axis when comparing
  if (in.compare != nullptr) first.axis_time = std::max(in.stats.makespan, in.compare->makespan);
  auto seek = memory_plot(first, ImGui::GetFontSize() * 7, rects);
  if (in.compare != nullptr && in.compare_memory != nullptr) {
    // The compared schedule's memory under the first, on the same time axis.
    ImGui::TextDisabled("%s, memory per rank", in.compare_name.c_str());
    const std::int64_t axis = std::max(in.stats.makespan, in.compare->makespan);
    const MetricsInput other{*in.compare, *in.compare_memory, in.frame_length, in.frame, in.last, nullptr,
                             "", "", nullptr, axis};
    ImGui::PushID("compare");
    if (auto to = memory_plot(other, ImGui::GetFontSize() * 7, rects)) seek = to;
    ImGui::PopID();
  }
  // A real model's memory is parts the user can act on (ZeRO, recomputation, tp): show them.
  if (in.stats.unit == TimeUnit::Nanoseconds && !in.stats.ranks.empty() && in.stats.ranks.front().weights_bytes > 0) {
    stacked_memory_plot(in);
  }
  return seek;
}

std::optional<std::uint32_t> memory_plot(const MetricsInput& in, float height, WidgetRects& rects, float left) {
  const ScheduleStats& st = in.stats;
  // Memory over time: static plus stored activations, a step line per rank,
  // the GPU's memory a red line. A margin on the left holds the GiB axis.
  if (left > 0) ImGui::Indent(left);
  const ImVec2 box = ImGui::GetCursorScreenPos();
  const float full_width = ImGui::GetContentRegionAvail().x;
  ImGui::InvisibleButton("memory", ImVec2(full_width, height));
  if (left > 0) ImGui::Unindent(left);
  {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects["memory"] = glm::vec4(a.x, a.y, b.x, b.y);
  }
  const float font = ImGui::GetFontSize();
  const float margin = left > 0 ? 0 : font * 3.2f;  // beside the lanes the lanes' own margin holds it
  const ImVec2 origin(box.x + margin, box.y);
  const float width = std::max(1.0f, full_width - margin);
  const float plot_h = height - font * 1.1f;  // the time axis' labels beneath
  std::optional<std::uint32_t> seek;
  const double span = std::max<double>(static_cast<double>(in.axis_time > 0 ? in.axis_time : st.makespan), 1.0);
  const double frame_length = static_cast<double>(std::max<std::int64_t>(1, in.frame_length));
  auto frame_of = [&](double t) { return t / frame_length + 1; };
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    const double t = std::clamp((ImGui::GetIO().MousePos.x - origin.x) / width, 0.0f, 1.0f) * span;
    seek = static_cast<std::uint32_t>(std::min<double>(frame_of(t), in.last));
  }
  // The GPU's memory is a line for a real model; the notebook's toy bytes
  // would be a flat line under it, so its plot scales to its own peak.
  const bool real = st.unit == TimeUnit::Nanoseconds;
  const double cap = real ? st.gpu_memory_bytes : 0;
  double top = std::max(cap, 1.0);
  for (std::size_t r = 0; r < in.memory.size() && r < st.ranks.size(); ++r) {
    top = std::max(top, st.ranks[r].peak_memory_bytes);
  }
  top *= 1.08;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + plot_h), IM_COL32(250, 250, 250, 255));
  auto x_of = [&](double t) { return origin.x + static_cast<float>(t / span) * width; };
  auto y_of = [&](double v) { return origin.y + plot_h - 2 - static_cast<float>(v / top) * (plot_h - 4); };
  // Axes: GiB at 0, half and the cap; time at round steps.
  const ImU32 ink = IM_COL32(90, 90, 90, 255);
  for (double v : {0.0, real ? cap : top / 1.08}) {
    const std::string label = bytes(v);
    const float y = y_of(v);
    // Beside the lanes, in their label column.
    draw->AddText(ImVec2(margin > 0 ? box.x : box.x - left, y - font * 0.5f), ink, label.c_str());
  }
  if (real) {
    const float y = y_of(cap);
    draw->AddLine(ImVec2(origin.x, y), ImVec2(origin.x + width, y), IM_COL32(210, 30, 30, 255), 1.5f);
    draw->AddText(ImVec2(origin.x + 4, y - font), IM_COL32(210, 30, 30, 255), "GPU memory");
  }
  {
    // A tick every 1, 2 or 5 x 10^k time units, about six across.
    double step = 1;
    while (span / step > 60) step *= 10;
    for (double k : {1.0, 2.0, 5.0, 10.0}) {
      if (span / (step * k) <= 7) {
        step *= k;
        break;
      }
    }
    for (double t = 0; t <= span; t += step) {
      const float x = x_of(t);
      draw->AddLine(ImVec2(x, origin.y + plot_h), ImVec2(x, origin.y + plot_h + 3), ink);
      const std::string label = tick_text(st.unit, t, step);
      if (x + ImGui::CalcTextSize(label.c_str()).x < origin.x + width + font) {
        draw->AddText(ImVec2(x + 2, origin.y + plot_h), ink, label.c_str());
      }
    }
  }
  for (std::size_t r = 0; r < in.memory.size(); ++r) {
    const auto& pts = in.memory[r];
    const double base = r < st.ranks.size() ? st.ranks[r].static_memory_bytes : 0;
    const ImU32 c = rank_colour(r);
    double peak = 0, peak_t = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const double t_end = i + 1 < pts.size() ? static_cast<double>(pts[i + 1].time) : span;
      const float y = y_of(base + pts[i].bytes);
      draw->AddLine(ImVec2(x_of(static_cast<double>(pts[i].time)), y), ImVec2(x_of(t_end), y), c, 1.5f);
      if (i + 1 < pts.size()) draw->AddLine(ImVec2(x_of(t_end), y), ImVec2(x_of(t_end), y_of(base + pts[i + 1].bytes)), c, 1.0f);
      if (pts[i].bytes > peak) peak = pts[i].bytes, peak_t = static_cast<double>(pts[i].time);
    }
    const bool over = r < st.ranks.size() && st.ranks[r].over_memory;
    // This rank's peak; red and ringed when over the GPU's memory.
    draw->AddCircleFilled(ImVec2(x_of(peak_t), y_of(base + peak)), 3.0f, c);
    if (over) draw->AddCircle(ImVec2(x_of(peak_t), y_of(base + peak)), 6.0f, IM_COL32(210, 30, 30, 255), 0, 2.0f);
  }
  const float px = x_of((static_cast<double>(in.frame) - 0.5) * frame_length);
  draw->AddLine(ImVec2(px, origin.y), ImVec2(px, origin.y + plot_h), IM_COL32(20, 20, 20, 255), 1.5f);
  if (ImGui::IsItemHovered()) {
    const double t = (ImGui::GetIO().MousePos.x - origin.x) / width * span;
    std::string tip = duration_text(st.unit, t) + " (frame " + std::to_string(static_cast<long long>(frame_of(t))) + ")";
    for (std::size_t r = 0; r < in.memory.size(); ++r) {
      const auto& pts = in.memory[r];
      auto it = std::upper_bound(pts.begin(), pts.end(), t, [](double v, const MemoryPoint& p) { return v < static_cast<double>(p.time); });
      const double v = it == pts.begin() ? 0 : std::prev(it)->bytes;
      const double base = r < st.ranks.size() ? st.ranks[r].static_memory_bytes : 0;
      tip += "\n" + rank_name(in, r) + ": " + bytes(base + v) + " (activations " + bytes(v) + ")";
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  return seek;
}

}  // namespace pipescope::app
