#include "rank_map_panel.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>

#include "imgui_rects.hpp"
#include "pipescope/analysis/units.hpp"
#include "pipescope/model/mesh.hpp"
#include "pipescope/render/style.hpp"

namespace pipescope::app {

namespace {

// Past this many nodes the map draws the first ones and says how many more.
constexpr std::int64_t kMostNodesDrawn = 32;

ImU32 tint(std::int64_t i) {
  const glm::vec3 c = rank_tint(static_cast<int>(i));
  return IM_COL32(static_cast<int>(c.r * 255), static_cast<int>(c.g * 255), static_cast<int>(c.b * 255), 255);
}

// "0-7", "1, 9", "1, 17, 33, 49", "3, 11, ... 123 (every 8)".
std::string range(std::int64_t first, std::int64_t n, std::int64_t stride) {
  if (n > 2 && stride == 1) return fmt::format("{}-{}", first, first + n - 1);
  if (n <= 4) {
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) out += fmt::format("{}{}", i == 0 ? "" : ", ", first + i * stride);
    return out;
  }
  return fmt::format("{}, {}, ... {} (every {})", first, first + stride, first + (n - 1) * stride, stride);
}

}  // namespace

void rank_map_section(RankMapPanel& panel, const RankMapInput& in, UiActions& actions, WidgetRects& rects) {
  const bool open = ImGui::CollapsingHeader("Rank map");
  remember(rects, "rankmap:header");
  if (!open) return;
  const Mesh mesh = mesh_of(in.params);
  ImGui::TextWrapped("%s", mesh.text().c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::Combo("colour by##rankmap", &panel.colour_by, "pp stage\0dp replica\0tp group\0cp group\0");
  remember(rects, "rankmap:colour");
  ImGui::TextDisabled("a box a node, a square a GPU; hover for its groups");
  const std::int64_t per_node = std::max<std::int64_t>(1, mesh.gpus_per_node);
  const std::int64_t nodes = (mesh.gpus() + per_node - 1) / per_node;
  const std::int64_t drawn_nodes = std::min(nodes, kMostNodesDrawn);
  // Nodes in rows across the panel; a node's GPUs in two rows of per_node / 2.
  const float cell = ImGui::GetFontSize() * 1.1f, gap = ImGui::GetFontSize() * 0.5f;
  const std::int64_t cols = std::max<std::int64_t>(1, (per_node + 1) / 2);
  const std::int64_t cell_rows = per_node > 1 ? 2 : 1;
  const float node_w = static_cast<float>(cols) * cell + 4, node_h = static_cast<float>(cell_rows) * cell + 4;
  const float avail = ImGui::GetContentRegionAvail().x;
  const auto per_row = std::max<std::int64_t>(1, static_cast<std::int64_t>((avail + gap) / (node_w + gap)));
  const std::int64_t node_rows = (drawn_nodes + per_row - 1) / per_row;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float height = static_cast<float>(node_rows) * (node_h + gap);
  const bool clicked = ImGui::InvisibleButton("rank-map", ImVec2(avail, std::max(height, 1.0f)));
  remember(rects, "rankmap:grid");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  std::int64_t hovered = -1;
  for (std::int64_t n = 0; n < drawn_nodes; ++n) {
    const float nx = at.x + static_cast<float>(n % per_row) * (node_w + gap);
    const float ny = at.y + static_cast<float>(n / per_row) * (node_h + gap);
    draw->AddRect(ImVec2(nx, ny), ImVec2(nx + node_w, ny + node_h), IM_COL32(120, 120, 120, 255), 3.0f);
    for (std::int64_t k = 0; k < per_node; ++k) {
      const std::int64_t g = n * per_node + k;
      if (g >= mesh.gpus()) break;
      const MeshCoord c = mesh.coord({g});
      const std::int64_t group = panel.colour_by == 0 ? c.pp : panel.colour_by == 1 ? c.dp
                                 : panel.colour_by == 2 ? c.dp + mesh.dp * (c.pp + mesh.pp * c.cp)  // one colour a tp group
                                                        : c.dp + mesh.dp * (c.pp + mesh.pp * c.tp);  // a cp group
      const float x = nx + 2 + static_cast<float>(k % cols) * cell, y = ny + 2 + static_cast<float>(k / cols) * cell;
      draw->AddRectFilled(ImVec2(x + 1, y + 1), ImVec2(x + cell - 1, y + cell - 1), tint(group), 2.0f);
      if (ImGui::IsItemHovered() && mouse.x >= x && mouse.x < x + cell && mouse.y >= y && mouse.y < y + cell) hovered = g;
    }
  }
  if (nodes > drawn_nodes) {
    ImGui::TextDisabled("the first %lld of %lld nodes", static_cast<long long>(drawn_nodes), static_cast<long long>(nodes));
  }
  if (hovered >= 0) {
    const MeshCoord c = mesh.coord({hovered});
    const GpuId first_tp = mesh.gpu({c.dp, c.pp, 0, c.cp}), first_dp = mesh.gpu({0, c.pp, c.tp, c.cp});
    const GpuId first_pp = mesh.gpu({c.dp, 0, c.tp, c.cp}), first_cp = mesh.gpu({c.dp, c.pp, c.tp, 0});
    std::string memory;
    if (in.sizes_known && static_cast<std::size_t>(c.pp) < in.stats.ranks.size()) {
      const RankStats& rs = in.stats.ranks[static_cast<std::size_t>(c.pp)];
      memory = fmt::format("\npeak memory {} of {} (weights {}, gradients {}, optimizer {}, activations {})",
                           bytes_text(rs.peak_memory_bytes), bytes_text(in.stats.gpu_memory_bytes),
                           bytes_text(rs.weights_bytes), bytes_text(rs.gradients_bytes), bytes_text(rs.optimizer_bytes),
                           bytes_text(rs.peak_activation_bytes));
    }
    ImGui::SetTooltip("GPU %lld on node %lld: pp stage %lld, dp replica %lld, tp %lld, cp %lld\n"
                      "its tp group: GPUs %s\nits dp group: GPUs %s\nits pipeline: GPUs %s%s%s\nclick to outline "
                      "its passes on the lanes",
                      static_cast<long long>(hovered), static_cast<long long>(mesh.node_of({hovered})),
                      static_cast<long long>(c.pp), static_cast<long long>(c.dp), static_cast<long long>(c.tp),
                      static_cast<long long>(c.cp), range(first_tp.global, mesh.tp, 1).c_str(),
                      range(first_dp.global, mesh.dp, mesh.stride(MeshDim::Dp)).c_str(),
                      range(first_pp.global, mesh.pp, mesh.stride(MeshDim::Pp)).c_str(),
                      mesh.cp > 1 ? fmt::format("\nits cp group: GPUs {}", range(first_cp.global, mesh.cp, mesh.tp)).c_str() : "",
                      memory.c_str());
    if (clicked) actions.rank_map_pick = static_cast<int>(c.pp);
  }
}

}  // namespace pipescope::app
