#pragma once
// What a planned layout's row says beside its step time: throughput, where
// the GPUs' time goes and what binds it, from the same plan and stats as
// `pipescope stats` of that layout.

#include <string>

#include "pipescope/analysis/throughput.hpp"
#include "pipescope/plan/planner.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

struct LayoutFigures {
  Params params;  // base with the layout applied: what `stats` of its flags reads
  Throughput throughput;
  // Shares of every GPU's step (pp ranks x makespan).
  double compute = 0, recompute = 0, tp = 0, cp = 0, ep = 0, fsdp = 0, idle = 0;
  double memory_share = 0;  // the fullest GPU's peak over its memory
  // "idle 31 %", "tp all-reduces 18 %", "memory 97 %", or "compute 84 %".
  std::string binds;
};

// The row's plan: its zoo schedule's program, or the order --schedule auto found.
SchedulePlan layout_plan(const Params& p, const PlannedLayout& row);
LayoutFigures layout_figures(const Params& base, const PlannedLayout& row);

}  // namespace pipescope
