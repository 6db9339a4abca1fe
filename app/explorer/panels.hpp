#pragma once
// The explorer's Dear ImGui panels. They edit the state structs and report
// requests in UiActions; they never touch the scene, the renderer or GL.

#include <vector>

#include "auto_panel.hpp"
#include "planner_panel.hpp"
#include "rank_map_panel.hpp"
#include "explorer_state.hpp"
#include "session_panel.hpp"
#include "lanes_panel.hpp"
#include "metrics_panel.hpp"
#include "pipescope/animate/playback.hpp"
#include "pipescope/render/scene_renderer.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope::app {

// Screen layout of the panels, in window coordinates (HiDPI-scaled).
struct PanelLayout {
  float side_width;       // the left column: parameters, view, export, stats
  float timeline_height;  // the bottom strip
};
// `lanes`: how many lanes the timeline shows (one per pipeline rank);
// `compare_lanes`: those of a compared schedule (0 if none).
PanelLayout panel_layout(float ui_scale, std::size_t lanes, std::size_t compare_lanes);

struct PanelState {
  ParamsEditor& params;
  ViewSettings& view;
  ExportSettings& exports;
  VideoPanel& video;
  const RenderStats& render_stats;
  const FrameStats& frame_stats;
  std::uint32_t last_frame;
  const MetricsInput& metrics;
  SessionPanel& session;
  Sections& sections;
  const AutoPanelInput* auto_panel = nullptr;  // --schedule auto: what it found
  PlannerPanel* planner = nullptr;
  const PlannerPanelInput* planner_input = nullptr;
  RankMapPanel* rank_map = nullptr;
  const RankMapInput* rank_map_input = nullptr;
};

void side_panel(const PanelLayout& layout, PanelState state, UiActions& actions, WidgetRects& rects);

// A second schedule shown under the first, on the same time axis.
struct CompareLanes {
  const std::vector<Lane>* lanes = nullptr;  // none: nothing to compare
  const SchedulePlan* plan = nullptr;
  int stages_per_rank = 1;
  std::string error;  // why the chosen schedule cannot run with these parameters
};

struct LanesInput {
  const std::vector<Lane>& lanes;
  const SchedulePlan& plan;
  int stages_per_rank;
  float ui_scale;
  const CompareLanes& compare;
  // A measured step's ideal (the same order at the median costs), drawn
  // under the measured lanes on their time axis; none without --measured.
  const CompareLanes* ideal = nullptr;
  LanesState* ideal_state = nullptr;
};

// Returns true if the shown frame was changed by the user.
// What is compared: a schedule of the catalog (index; -1 none), and
// parameters that differ from the scene's (0: the same).
struct CompareChoice {
  int schedule = -1;
  std::int64_t pp = 0, microbatches = 0;
  bool operator==(const CompareChoice&) const = default;
};

bool timeline_panel(const PanelLayout& layout, TimelineView& timeline, const std::vector<PhaseSpan>& phases,
                    const LanesInput& lanes, LanesState& lanes_state, LanesState& compare_state,
                    CompareChoice& compare, WidgetRects& rects);

}  // namespace pipescope::app
