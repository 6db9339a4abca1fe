#pragma once
// The Rank map section of the side panel: the run's GPUs drawn as they sit
// in nodes, coloured by the group chosen (pipeline stage, data-parallel
// replica, tensor- or context-parallel group), so a newcomer sees which GPUs
// share what. Hovering a GPU tells its place in every group and its rank's
// memory; a click outlines that pipeline rank's passes on the lanes.

#include "explorer_state.hpp"
#include "pipescope/analysis/schedule_stats.hpp"

namespace pipescope::app {

struct RankMapPanel {
  int colour_by = 0;  // 0 pp stage, 1 dp replica, 2 tp group, 3 cp group
};

struct RankMapInput {
  const Params& params;
  const ScheduleStats& stats;  // per pipeline rank (memory), empty for a measured run's sizes
  bool sizes_known = true;     // false for a measured run: no memory to tell
};

void rank_map_section(RankMapPanel& panel, const RankMapInput& in, UiActions& actions, WidgetRects& rects);

}  // namespace pipescope::app
