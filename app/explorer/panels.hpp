#pragma once
// The explorer's Dear ImGui panels. They edit the state structs and report
// requests in UiActions; they never touch the scene, the renderer or GL.

#include <vector>

#include "explorer_state.hpp"
#include "lanes_panel.hpp"
#include "metrics_panel.hpp"
#include "pipescope/playback.hpp"
#include "pipescope/render/scene_renderer.hpp"
#include "pipescope/timeline.hpp"

namespace pipescope::app {

// Screen layout of the panels, in window coordinates (HiDPI-scaled).
struct PanelLayout {
  float side_width;       // the left column: parameters, view, export, stats
  float timeline_height;  // the bottom strip
};
// `lanes`: how many lanes the timeline shows (one per pipeline rank).
PanelLayout panel_layout(float ui_scale, std::size_t lanes);

struct PanelState {
  ParamsEditor& params;
  ViewSettings& view;
  ExportSettings& exports;
  VideoPanel& video;
  const RenderStats& render_stats;
  const FrameStats& frame_stats;
  std::uint32_t last_frame;
  const MetricsInput& metrics;
};

void side_panel(const PanelLayout& layout, PanelState state, UiActions& actions, WidgetRects& rects);

struct LanesInput {
  const std::vector<Lane>& lanes;
  const SchedulePlan& plan;
  int stages_per_rank;
  float ui_scale;
};

// Returns true if the shown frame was changed by the user.
bool timeline_panel(const PanelLayout& layout, TimelineView& timeline, const std::vector<PhaseSpan>& phases,
                    const LanesInput& lanes, LanesState& lanes_state, WidgetRects& rects);

}  // namespace pipescope::app
