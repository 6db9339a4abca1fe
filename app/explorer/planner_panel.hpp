#pragma once
// The Planner section of the side panel: the fastest layouts of the scene's
// model on N GPUs that fit (pipescope plan, on a worker thread), as a ranked
// table and a scatter of step time against peak memory per GPU (fits in
// green, over in red, the GPU's memory a line), filled in as the search
// runs. A click on a row or a dot loads that layout into the scene, lanes
// and metrics; "vs" marks a second row to compare with the loaded one.

#include "explorer_state.hpp"
#include "planner_search.hpp"

namespace pipescope::app {

struct PlannerPanel {
  int gpus = 0;                     // 0: the scene's
  int loaded = -1, compared = -1;   // rows of the last result
};

struct PlannerPanelInput {
  const PlannerSearch::Snapshot& search;
  const Params& scene;
  const std::vector<ParamError>& refused;  // why the last edit (a loaded layout) did not reach the scene
};

void planner_section(PlannerPanel& panel, const PlannerPanelInput& in, UiActions& actions, WidgetRects& rects);

}  // namespace pipescope::app
