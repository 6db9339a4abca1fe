#pragma once
// The schedule the explorer compares with: the scene's parameters under the
// same or another schedule, with another pp or microbatch count if chosen;
// its plan, lanes, figures and memory, or why it cannot run. Computed by the
// engine; the panels only draw it.

#include <string>
#include <vector>

#include "lanes_panel.hpp"
#include "panels.hpp"
#include "pipescope/analysis/analysis.hpp"

namespace pipescope::app {

class Comparison {
 public:
  CompareChoice choice;  // edited by the timeline panel

  // Recomputes for `scene` if the choice changed (or `force`).
  // `frame_length`: the scene's plan's, so that both playheads mark the
  // same time (a real-time plan's frame length follows its own makespan).
  void refresh(const Params& scene, bool force, std::int64_t frame_length);
  bool active() const { return view_.lanes != nullptr; }
  const CompareLanes& lanes() const { return view_; }
  LanesState& lanes_state() { return state_; }
  const SchedulePlan& plan() const { return plan_; }
  // The compared run's parameters (nullptr when nothing runs).
  const Params* params() const { return analysis_ ? &analysis_->params : nullptr; }
  const ScheduleStats& stats() const { return analysis_->stats; }
  const std::vector<std::vector<MemoryPoint>>& memory() const { return analysis_->memory; }
  // "zb-h1", or "1f1b_mb16" when its parameters differ; "" when nothing is compared.
  std::string name() const;
  // Rows its lanes take (one for its message if it cannot run).
  std::size_t lane_count() const { return choice.schedule < 0 ? 0 : std::max<std::size_t>(analysis_ ? analysis_->lanes.size() : 0, 1); }

 private:
  CompareChoice loaded_;
  std::shared_ptr<const ScheduleAnalysis> analysis_;
  SchedulePlan plan_;  // analysis_'s, on the scene's frames
  std::int64_t frame_length_ = 1;
  CompareLanes view_;
  LanesState state_;
  LanesTexture texture_;
};

}  // namespace pipescope::app
