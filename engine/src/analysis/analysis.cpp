#include "pipescope/analysis/analysis.hpp"
#include "pipescope/model/cost_model.hpp"

#include "pipescope/model/mesh.hpp"

namespace pipescope {

std::shared_ptr<const ScheduleAnalysis> analyse(const Params& p) {
  auto a = std::make_shared<ScheduleAnalysis>();
  a->params = p;
  a->plan = make_plan(p);
  a->lanes = make_lanes(a->plan);
  for (Lane& lane : a->lanes) lane.label = rank_label(p, lane.rank);
  // A real model's passes carry their exposed collectives on the strip (the
  // notebook's and a measured step's costs have no such split).
  if (p.model == CostModel::Transformer && p.real_time() && !p.measured && p.time_f.empty() && !a->plan.notebook) {
    add_collectives(a->lanes, a->plan, real_cost_nanoseconds(p));
  }
  a->stats = schedule_stats(p, a->plan);
  a->memory = activation_memory(p, a->plan);
  if (p.measured) {
    auto m = std::make_shared<MeasuredAnalysis>();
    m->plan = measured_plan(p);
    m->lanes = make_measured_lanes(*p.measured, m->plan);
    if (p.measured->pipelines <= 1) {
      for (Lane& lane : m->lanes) lane.label = rank_label(p, lane.rank);
    }  // (with replicas each lane names its replica and global rank)
    m->stats = schedule_stats(p, m->plan);
    m->memory = activation_memory(p, m->plan);
    m->split = split_difference(*p.measured, a->plan);
    // One time axis: the ideal's frames are the measured step's.
    a->plan.frame_length = m->plan.frame_length;
    a->measured = std::move(m);
  }
  return a;
}

}  // namespace pipescope
