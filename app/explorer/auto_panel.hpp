#pragma once
// The Auto-schedule section of the side panel, for --schedule auto: what
// the search found and among what (the zoo schedules, fitting or not), what
// binds (memory on which rank, or the dependencies), the makespan-versus-
// memory curve over caps (click a point to use its cap), and what a longer
// search off the UI thread finds (load it as the scene's schedule).

#include "auto_search.hpp"
#include "explorer_state.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope::app {

struct AutoPanelInput {
  const SchedulePlan& plan;       // its auto_result is set
  const AutoSearch::Snapshot& search;
  double cap_gib;                 // the scene's --gpu-memory-gib
};

void auto_section(const AutoPanelInput& in, UiActions& actions, WidgetRects& rects);

}  // namespace pipescope::app
