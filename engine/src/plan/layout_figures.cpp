#include "pipescope/plan/layout_figures.hpp"

#include <fmt/format.h>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

SchedulePlan layout_plan(const Params& p, const PlannedLayout& row) {
  SchedulePlan plan;
  plan.program = row.program ? *row.program
                             : build_program(row.layout.schedule, static_cast<int>(p.pp), static_cast<int>(p.microbatches),
                                             static_cast<int>(p.stages_per_rank()));
  plan.costs = costs_for(p);
  plan.timing = simulate(plan.program, plan.costs);
  plan.frame_length = frame_length_for(p, plan.timing.makespan);
  return plan;
}

LayoutFigures layout_figures(const Params& base, const PlannedLayout& row) {
  LayoutFigures f;
  f.params = apply_layout(base, row.layout);
  const SchedulePlan plan = layout_plan(f.params, row);
  const ScheduleStats st = schedule_stats(f.params, plan);
  f.throughput = throughput(f.params, st.flops_per_replica, st.hardware_flops_per_replica, st.makespan);
  const double all = static_cast<double>(st.makespan) * static_cast<double>(st.ranks.size());
  for (const RankStats& r : st.ranks) {
    f.compute += static_cast<double>(r.compute()) / all;
    f.recompute += static_cast<double>(r.recompute) / all;
    f.tp += static_cast<double>(r.tp_communication) / all;
    f.cp += static_cast<double>(r.cp_communication) / all;
    f.ep += static_cast<double>(r.ep_communication) / all;
    f.fsdp += static_cast<double>(r.fsdp_communication) / all;
    f.idle += static_cast<double>(r.idle) / all;
  }
  f.memory_share = row.peak_memory_bytes / st.gpu_memory_bytes;
  // The largest share that is not the passes' own work.
  std::pair<double, const char*> worst{0, ""};
  for (const auto& share : {std::pair{f.idle, "idle"}, std::pair{f.tp, "tp all-reduces"}, std::pair{f.cp, "cp ring"},
                            std::pair{f.ep, "ep all-to-alls"}, std::pair{f.fsdp, "FSDP gathers"},
                            std::pair{f.recompute, "recomputation"}}) {
    if (share.first > worst.first) worst = share;
  }
  f.binds = worst.first >= 0.1 ? fmt::format("{} {:.0f} %", worst.second, 100 * worst.first)
                               : fmt::format("compute {:.0f} %", 100 * f.compute);
  if (f.memory_share >= 0.95) f.binds = fmt::format("memory {:.0f} %, {}", 100 * f.memory_share, f.binds);
  return f;
}

}  // namespace pipescope
