#include "lanes_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

constexpr float kRow = 20.0f, kBar = 14.0f, kStrip = 4.0f, kLabel = 56.0f, kAxis = 18.0f;

// ImGui packs colours as lane_colour does: red in the lowest byte.
ImU32 colour(BlockKind kind) { return lane_colour(kind); }

const char* kind_name(BlockKind kind) {
  switch (kind) {
    case BlockKind::Forward: return "forward";
    case BlockKind::BackwardInput: return "backward through the input";
    case BlockKind::BackwardWeight: return "weight gradient";
    case BlockKind::Backward: return "full backward (input and weights)";
    case BlockKind::Send: return "send";
    case BlockKind::Exchange: return "gradient exchange";
    case BlockKind::TensorParallel: return "tp all-reduce";
    case BlockKind::ContextParallel: return "cp ring";
    case BlockKind::ExpertParallel: return "ep all-to-all";
    case BlockKind::FsdpGather: return "FSDP gather";
  }
  return "";
}

char letter(BlockKind kind) {
  switch (kind) {
    case BlockKind::Forward: return 'F';
    case BlockKind::BackwardInput: return 'I';
    case BlockKind::Backward: return 'B';
    default: return 'W';
  }
}

std::string describe(const Lane& lane, const LaneBlock& b, const SchedulePlan& plan) {
  const TimeUnit u = plan.costs.unit;
  auto time = [&](std::int64_t t) { return duration_text(u, static_cast<double>(t)); };
  std::string s = lane.label + ", stage " + std::to_string(b.stage) + ", microbatch " +
                  std::to_string(b.microbatch) + ", " + kind_name(b.kind) + ", ";
  if (plan.real_time()) {
    s += time(b.start) + " to " + time(b.end) + " (" + time(b.end - b.start) + "; frames " +
         std::to_string(plan.frame_of(b.start)) + "-" + std::to_string(plan.frame_of(b.end)) + ")";
  } else {
    s += "frames " + std::to_string(b.start + 1) + "-" + std::to_string(b.end) + " (" + std::to_string(b.end - b.start) +
         ")";
  }
  const TimedAction& a = plan.timing.per_rank[static_cast<std::size_t>(lane.rank)][static_cast<std::size_t>(b.action)];
  s += ", part of " + to_string(a.action);
  if (a.waited > 0) {
    s += "; waited " + time(a.waited) + " for " +
         to_string(Action::single(a.waited_for.op, a.waited_for.stage, a.waited_for.microbatch));
  } else {
    s += "; started as soon as its rank was free";
  }
  return s;
}

struct Row {
  int lane;   // -1: a group header
  int group;  // replica (0 when folded)
};

std::vector<Row> layout_rows(const LanesState& state, std::size_t lane_count) {
  std::vector<Row> rows;
  const bool grouped = state.replicas > 1;
  const int groups = grouped && !state.fold_replicas ? state.replicas : 1;
  for (int g = 0; g < groups; ++g) {
    if (grouped) rows.push_back({-1, g});
    const bool collapsed = !state.fold_replicas && static_cast<std::size_t>(g) < state.collapsed.size() &&
                           state.collapsed[static_cast<std::size_t>(g)] != 0;
    if (collapsed) continue;
    for (std::size_t l = 0; l < lane_count; ++l) rows.push_back({static_cast<int>(l), g});
  }
  return rows;
}

// The time axis under the lanes: a tick every 1, 2 or 5 x 10^k time units
// (about eight across), labelled in the plan's unit.
void time_axis(TimeUnit unit, const LaneView& view, float lane_x, float lane_w, float height) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(lane_x + lane_w - at.x, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 ink = IM_COL32(90, 90, 90, 255);
  double step = 1;
  while (view.span / step > 80) step *= 10;
  for (double k : {1.0, 2.0, 5.0, 10.0}) {
    if (view.span / (step * k) <= 8) {
      step *= k;
      break;
    }
  }
  const float limit = lane_x + lane_w;
  const double first = std::ceil(view.start / step) * step;
  for (double t = first; t <= view.start + view.span; t += step) {
    const float tx = lane_x + static_cast<float>((t - view.start) / view.span) * lane_w;
    const std::string label = tick_text(unit, t, step);
    if (tx + ImGui::CalcTextSize(label.c_str()).x > limit) break;
    draw->AddLine(ImVec2(tx, at.y), ImVec2(tx, at.y + 4), ink, 1.0f);
    draw->AddText(ImVec2(tx + 2, at.y + 1), ink, label.c_str());
  }
}

}  // namespace

std::size_t lanes_rows(const LanesState& state, std::size_t lane_count) {
  return layout_rows(state, lane_count).size();
}

float lanes_label_width(float ui_scale, const std::vector<Lane>& lanes) {
  // Wide enough for the longest name ("GPUs 112-119" with tp), never narrower than the notebook's.
  float w = kLabel * ui_scale;
  for (const Lane& l : lanes) w = std::max(w, ImGui::CalcTextSize(l.label.c_str()).x + 8 * ui_scale);
  return w;
}

float lanes_height(std::size_t lanes, float ui_scale, bool all_rows, std::size_t max_rows) {
  return (static_cast<float>(all_rows ? lanes : std::min(lanes, max_rows)) * kRow + 6.0f + kAxis) * ui_scale;
}

std::string lanes_title(const Params& p, const ScheduleStats& st) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%s: pp %lld, microbatches %lld, %lld stage%s per rank; makespan %s; bubble %.1f %% idle/compute, "
                "%.1f %% idle/wall, %.1f %% playground",
                p.schedule_name().c_str(), static_cast<long long>(p.pp), static_cast<long long>(p.microbatches),
                static_cast<long long>(p.stages_per_rank()), p.stages_per_rank() == 1 ? "" : "s",
                duration_text(st.unit, static_cast<double>(st.makespan)).c_str(), 100 * st.bubble_idle_over_compute,
                100 * st.bubble_idle_over_wall, 100 * st.bubble_playground);
  return buf;
}

std::optional<std::uint32_t> lanes_view(const std::vector<Lane>& lanes, const SchedulePlan& plan,
                                        int stages_per_rank, LanesState& state, std::uint32_t frame,
                                        std::uint32_t last, float ui_scale, WidgetRects& rects, bool all_rows,
                                        std::size_t max_rows) {
  state.hovered.clear();
  if (lanes.empty()) return std::nullopt;
  const ImGuiIO& io = ImGui::GetIO();
  const float row = kRow * ui_scale, bar = kBar * ui_scale, strip = kStrip * ui_scale, label_w = lanes_label_width(ui_scale, lanes);
  const std::vector<Row> rows = layout_rows(state, lanes.size());
  const float axis_h = kAxis * ui_scale;
  const float height = lanes_height(rows.size(), ui_scale, all_rows, max_rows) - axis_h;
  const float total = static_cast<float>(rows.size()) * row;
  // The row that shows a lane first (arrows are drawn there).
  std::vector<std::size_t> row_of(lanes.size(), 0);
  for (std::size_t i = rows.size(); i-- > 0;) {
    if (rows[i].lane >= 0) row_of[static_cast<std::size_t>(rows[i].lane)] = i;
  }
  ImGui::BeginChild("lanes", ImVec2(0, height), false, total > height ? 0 : ImGuiWindowFlags_NoScrollbar);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  const float lane_x = origin.x + label_w, lane_w = std::max(width - label_w, 1.0f);
  ImGui::InvisibleButton("lanes", ImVec2(width, total),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects["lanes"] = glm::vec4(a.x + label_w, a.y, b.x, b.y);
  }
  const double span_total = static_cast<double>(plan.timing.makespan);
  LaneView& view = state.view;
  const double fpp = view.span / lane_w;  // frames per pixel
  auto frame_at_x = [&](float x) { return view.start + static_cast<double>(x - lane_x) * fpp; };
  auto x_of = [&](double t) { return lane_x + static_cast<float>((t - view.start) / fpp); };

  std::optional<std::uint32_t> seek;
  const bool hovered = ImGui::IsItemHovered();
  if (hovered && io.MouseWheel != 0.0f) view.zoom_at(frame_at_x(io.MousePos.x), std::pow(0.8, io.MouseWheel), span_total);
  if (ImGui::IsItemActive() && (ImGui::IsMouseDragging(ImGuiMouseButton_Right, 0.0f) ||
                                ImGui::IsMouseDragging(ImGuiMouseButton_Middle, 0.0f))) {
    view.pan(-static_cast<double>(io.MouseDelta.x) * fpp, span_total);
  }
  if (hovered && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home))) view.fit(span_total);
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left) && io.MousePos.x >= lane_x) {
    // Simulation time t is shown by frame t + 1. A click on a block goes to
    // its first frame; a drag scrubs.
    const double t = std::max(frame_at_x(io.MousePos.x), 0.0);
    auto frame_at_time = [&](double time) {
      return static_cast<std::uint32_t>(std::min<double>(static_cast<double>(plan.frame_of(static_cast<std::int64_t>(time))), last));
    };
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) seek = frame_at_time(t);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      seek = frame_at_time(t);
      const auto ri = static_cast<std::size_t>((io.MousePos.y - origin.y) / row);
      const std::size_t r = ri < rows.size() && rows[ri].lane >= 0 ? static_cast<std::size_t>(rows[ri].lane) : lanes.size();
      if (r < lanes.size() && io.MousePos.y - origin.y - static_cast<float>(ri) * row < bar) {
        if (const std::int32_t i = block_at(lanes[r].compute, t); i >= 0) {
          seek = frame_at_time(static_cast<double>(lanes[r].compute[static_cast<std::size_t>(i)].start));
          state.selected_lane = static_cast<int>(r);
          state.selected_block = i;
          state.selection_changed = true;
        }
      }
    }
  }

  ImDrawList* draw = ImGui::GetWindowDrawList();
  std::vector<DrawnBlock> drawn;
  const double t0 = view.start, t1 = view.start + view.span;
  // Group headers take clicks of their own: they fold and unfold.
  if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) {
    const auto ri = static_cast<std::size_t>((io.MousePos.y - origin.y) / row);
    if (ri < rows.size() && rows[ri].lane < 0) {
      seek.reset();
      if (state.fold_replicas) {
        state.fold_replicas = false;
      } else if (rows[ri].group == 0 && io.MousePos.x > lane_x) {
        state.fold_replicas = true;
      } else {
        state.collapsed.resize(static_cast<std::size_t>(state.replicas), 0);
        char& c = state.collapsed[static_cast<std::size_t>(rows[ri].group)];
        c = c != 0 ? 0 : 1;
      }
    }
  }
  // Pass 1: headers, rank names and the lanes' background.
  for (std::size_t ri = 0; ri < rows.size(); ++ri) {
    const float y = origin.y + static_cast<float>(ri) * row;
    if (rows[ri].lane < 0) {
      const int g = rows[ri].group;
      const bool collapsed = static_cast<std::size_t>(g) < state.collapsed.size() && state.collapsed[static_cast<std::size_t>(g)] != 0;
      const std::string text =
          state.fold_replicas
              ? "replicas 0-" + std::to_string(state.replicas - 1) + ": the same timing, shown once (click to unfold)"
              : std::string(collapsed ? "+ " : "- ") + "replica " + std::to_string(g) +
                    (g == 0 ? "   (click here at the right to fold the replicas into one)" : "");
      draw->AddText(ImVec2(origin.x + 4, y + 2), IM_COL32(90, 90, 90, 255), text.c_str());
      continue;
    }
    const Lane& lane = lanes[static_cast<std::size_t>(rows[ri].lane)];
    draw->AddText(ImVec2(origin.x + 4, y + 2), IM_COL32(40, 40, 40, 255), lane.label.c_str());
    draw->AddRectFilled(ImVec2(lane_x, y), ImVec2(lane_x + lane_w, y + bar), IM_COL32(242, 242, 242, 255));
  }
  // Pass 2: the blocks. With a texture they are one quad, painted only when
  // the view changes; without one (no GL at hand), a rectangle each.
  if (state.texture != nullptr) {
    std::vector<int> row_lanes;
    for (const Row& r : rows) row_lanes.push_back(r.lane);
    state.texture->update(lanes, row_lanes, view.start, view.span, static_cast<int>(lane_w), static_cast<int>(row),
                          static_cast<int>(bar), static_cast<int>(strip));
    draw->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(state.texture->texture())),
                   ImVec2(lane_x, origin.y),
                   ImVec2(lane_x + static_cast<float>(state.texture->width()),
                          origin.y + static_cast<float>(state.texture->height())));
  }
  // Blocks wide enough for a label exist only when zoomed in enough.
  const double widest = static_cast<double>(std::max({plan.costs.f, plan.costs.i, plan.costs.w}));
  const bool labels = widest / fpp >= 10.0 * ui_scale;
  // One label form for every block in view, chosen by the narrowest kind of
  // pass, so that neighbours read alike: "7F3" beside "7W3", or "3" beside
  // "3", never "7F3" beside "3". A block too narrow for it shows none.
  std::int64_t narrowest = widest;
  for (const std::int64_t c : {plan.costs.f, plan.costs.i, plan.costs.w}) {
    if (c > 0) narrowest = std::min(narrowest, c);
  }
  const std::string longest_full = (stages_per_rank > 1 ? std::to_string(plan.program.stages - 1) : std::string()) +
                                   "W" + std::to_string(std::max(plan.program.microbatches - 1, 0));
  const bool full_labels = static_cast<double>(narrowest) / fpp > ImGui::CalcTextSize(longest_full.c_str()).x + 4;
  for (std::size_t ri = 0; ri < rows.size(); ++ri) {
    if (rows[ri].lane < 0) continue;
    const float y = origin.y + static_cast<float>(ri) * row;
    const Lane& lane = lanes[static_cast<std::size_t>(rows[ri].lane)];
    if (state.texture == nullptr || labels || state.selected_stage >= 0) {
      visible_blocks(lane.compute, t0, t1, fpp, drawn);
      for (const DrawnBlock& d : drawn) {
        const float x0 = std::max(x_of(d.start), lane_x), x1 = std::min(std::max(x_of(d.end), x0 + 1.0f), lane_x + lane_w);
        if (state.texture == nullptr) draw->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + bar), colour(d.kind));
        if (d.merged) continue;
        const LaneBlock& b = lane.compute[static_cast<std::size_t>(d.index)];
        if (b.stage == state.selected_stage && (state.selected_microbatch < 0 || b.microbatch == state.selected_microbatch)) {
          draw->AddRect(ImVec2(x0 - 1, y - 1), ImVec2(x1 + 1, y + bar + 1), IM_COL32(20, 20, 220, 255), 0.0f, 0, 2.5f);
        }
        if (!labels) continue;
        // "F3" (or PyTorch's "4F3" with several stages per rank), or the microbatch alone.
        const std::string text = full_labels ? (stages_per_rank > 1 ? std::to_string(b.stage) : std::string()) +
                                                   letter(b.kind) + std::to_string(b.microbatch)
                                             : std::to_string(b.microbatch);
        const ImVec2 size = ImGui::CalcTextSize(text.c_str());
        if (x1 - x0 > size.x + 4) {
          draw->AddText(ImVec2((x0 + x1 - size.x) / 2, y + (bar - size.y) / 2), IM_COL32_WHITE, text.c_str());
        }
      }
    }
    if (state.texture == nullptr) {
      for (const auto* list : {&lane.sends, &lane.exchanges}) {
        visible_blocks(*list, t0, t1, fpp, drawn);
        for (const DrawnBlock& d : drawn) {
          const float x0 = std::max(x_of(d.start), lane_x), x1 = std::min(std::max(x_of(d.end), x0 + 1.0f), lane_x + lane_w);
          draw->AddRectFilled(ImVec2(x0, y + bar + 1), ImVec2(x1, y + bar + 1 + strip), colour(d.kind));
        }
      }
    }
    if (hovered && io.MousePos.y >= y && io.MousePos.y < y + bar && io.MousePos.x >= lane_x) {
      const std::int32_t i = block_at(lane.compute, frame_at_x(io.MousePos.x));
      if (i >= 0) state.hovered = describe(lane, lane.compute[static_cast<std::size_t>(i)], plan);
    }
  }
  // The selected block's dependencies (arrows in) and dependents (arrows out).
  if (state.selected_lane >= 0 && static_cast<std::size_t>(state.selected_lane) < lanes.size() &&
      state.selected_block >= 0 &&
      static_cast<std::size_t>(state.selected_block) < lanes[static_cast<std::size_t>(state.selected_lane)].compute.size()) {
    const LaneBlock& sel =
        lanes[static_cast<std::size_t>(state.selected_lane)].compute[static_cast<std::size_t>(state.selected_block)];
    const int S = plan.program.stages, s = sel.stage, m = sel.microbatch;
    struct Want {
      int stage;
      BlockKind kind;
      bool into;  // true: it feeds the selected block
    };
    std::vector<Want> wants;
    if (sel.kind == BlockKind::Forward) {
      if (s > 0) wants.push_back({s - 1, BlockKind::Forward, true});
      if (s + 1 < S) wants.push_back({s + 1, BlockKind::Forward, false});
      wants.push_back({s, BlockKind::BackwardInput, false});
      wants.push_back({s, BlockKind::Backward, false});
    } else if (sel.kind == BlockKind::BackwardInput || sel.kind == BlockKind::Backward) {
      // What carries the gradient: I, or a fused B, whichever the schedule runs.
      for (BlockKind grad : {BlockKind::BackwardInput, BlockKind::Backward}) {
        wants.push_back(s + 1 < S ? Want{s + 1, grad, true} : Want{s, BlockKind::Forward, true});
        if (s > 0) wants.push_back({s - 1, grad, false});
      }
      if (sel.kind == BlockKind::BackwardInput) wants.push_back({s, BlockKind::BackwardWeight, false});
    } else {
      wants.push_back({s, BlockKind::BackwardInput, true});
    }
    const ImU32 arrow = IM_COL32(20, 20, 200, 255);
    auto centre = [&](std::size_t lane, const LaneBlock& b, bool left) {
      return ImVec2(x_of(static_cast<double>(left ? b.start : b.end)),
                    origin.y + static_cast<float>(row_of[lane]) * row + bar / 2);
    };
    const ImVec2 sel_in = centre(static_cast<std::size_t>(state.selected_lane), sel, true);
    const ImVec2 sel_out = centre(static_cast<std::size_t>(state.selected_lane), sel, false);
    for (std::size_t r = 0; r < lanes.size(); ++r) {
      for (const LaneBlock& b : lanes[r].compute) {
        if (b.microbatch != m) continue;
        for (const Want& w : wants) {
          if (b.stage != w.stage || b.kind != w.kind) continue;
          const ImVec2 from = w.into ? centre(r, b, false) : sel_out, to = w.into ? sel_in : centre(r, b, true);
          draw->AddLine(from, to, arrow, 2.0f);
          draw->AddCircleFilled(to, 3.5f * ui_scale, arrow);
        }
      }
    }
    const ImVec2 a(x_of(static_cast<double>(sel.start)),
                   origin.y + static_cast<float>(row_of[static_cast<std::size_t>(state.selected_lane)]) * row);
    draw->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(x_of(static_cast<double>(sel.end)) + 1, a.y + bar + 1), arrow, 0.0f, 0,
                  3.0f);
  }
  // The playhead: frame f shows the work of time (f - 1) x frame_length .. f x frame_length.
  const float px = x_of((static_cast<double>(frame) - 0.5) * static_cast<double>(plan.frame_length));
  if (px >= lane_x && px <= lane_x + lane_w) {
    draw->AddLine(ImVec2(px, origin.y), ImVec2(px, origin.y + total), IM_COL32(20, 20, 20, 255), 2.0f);
  }
  if (!state.hovered.empty()) ImGui::SetTooltip("%s", state.hovered.c_str());
  ImGui::EndChild();
  time_axis(plan.costs.unit, view, lane_x, lane_w, axis_h);
  return seek;
}

}  // namespace pipescope::app
