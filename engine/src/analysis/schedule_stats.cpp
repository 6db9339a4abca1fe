#include "pipescope/analysis/schedule_stats.hpp"

#include <cmath>

#include <algorithm>

#include "pipescope/model/cost_model.hpp"
#include "pipescope/schedule/semantics.hpp"

namespace pipescope {

namespace {

struct Change {
  std::int64_t time;
  double bytes;  // stored (+) or freed (-)
  int stored;    // stage-microbatches held: +1 at a forward, -1 when the last of it is freed
};

// The notebook's weight phase, as its animation runs it: each layer's two
// weights from the last, each over every microbatch in turn, hiding that
// microbatch's face (the residual for W2, the hidden for W1 and the stage's
// input with the first layer's W1) once the next one's turn is done. The plan
// cuts the phase into one W per microbatch of the same total length; this
// puts each face's freeing back where the scene shows it.
void notebook_weight_changes(const TimedAction& a, const Params& p, std::vector<Change>& changes) {
  // Its own generators hold each matmul one frame (--cost-* scale the other schedules).
  const std::int64_t layers = p.layers_per_stage(), hold = 1, M = p.microbatches;
  const int j = a.action.first.microbatch;
  const std::int64_t phase_start = a.start - j * 2 * layers * hold;
  const double rows = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double bytes = static_cast<double>(p.dtype_bytes) * rows;
  for (std::int64_t q = 0; q < 2 * layers; ++q) {
    const bool residual = q % 2 == 0, first_layer = q == 2 * layers - 1;
    double freed = bytes * static_cast<double>(residual ? p.d_model : p.hidden());
    if (first_layer) freed += bytes * static_cast<double>(p.d_model);  // the stage's input
    // bwd_weight hides a microbatch's face after the next one's holds; the
    // last one's as the pass ends.
    const std::int64_t at = j + 1 < M ? (j + 2) * hold : M * hold;
    changes.push_back({phase_start + q * M * hold + at, -freed, first_layer ? -1 : 0});
  }
}

// What a rank's passes store and free. A full backward B (and the backward
// of an overlapped pair) frees everything at its end.
std::vector<Change> memory_changes(const std::vector<TimedAction>& rank, const SchedulePlan& plan, const Params& p,
                                   const ModelFigures& m) {
  const Costs& c = plan.costs;
  std::vector<Change> changes;
  for (const auto& a : rank) {
    if (plan.notebook && a.action.op == Op::W) {
      notebook_weight_changes(a, p, changes);
      continue;
    }
    for_each_pass(a, c, [&](const Step& st, std::int64_t start, std::int64_t end) {
      const StageFigures& s = m.stages[static_cast<std::size_t>(st.stage)];
      const MemoryDelta d = memory_delta(st.op, s.activation_bytes, s.kept_for_w_bytes);  // semantics.hpp
      // Stage-microbatches held: a forward adds one; W or B, which free the last of it, take it away.
      const int in_flight = st.op == Op::F ? +1 : st.op == Op::W || st.op == Op::B ? -1 : 0;
      if (st.op != Op::Overlap) changes.push_back({d.at == MemoryAt::Start ? start : end, d.bytes, in_flight});
    });
  }
  // At one time, what is freed goes before what is stored (the scene hides
  // and shows them in the same frame).
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.time != b.time ? a.time < b.time : a.bytes < b.bytes;
  });
  return changes;
}

}  // namespace

std::vector<std::vector<MemoryPoint>> activation_memory(const Params& p, const SchedulePlan& plan) {
  const ModelFigures m = model_figures(p);
  std::vector<std::vector<MemoryPoint>> out;
  for (const auto& rank : plan.timing.per_rank) {
    std::vector<MemoryPoint> points{{0, 0}};
    double stored = 0;
    for (const Change& c : memory_changes(rank, plan, p, m)) {
      stored += c.bytes;
      if (stored < 1e-6 * std::abs(c.bytes)) stored = 0;  // what was stored is freed exactly
      if (points.back().time == c.time) {
        points.back().bytes = stored;
      } else {
        points.push_back({c.time, stored});
      }
    }
    out.push_back(std::move(points));
  }
  return out;
}

ScheduleStats schedule_stats(const Params& p, const SchedulePlan& plan) {
  ScheduleStats st;
  const Timing& t = plan.timing;
  const ModelFigures m = model_figures(p);
  st.unit = plan.costs.unit;
  st.makespan = t.makespan;
  st.flops_per_replica = m.flops_per_replica;
  st.hardware_flops_per_replica = m.hardware_flops_per_replica;
  st.gpu_memory_bytes = p.gpu_memory_gib * 1024 * 1024 * 1024;
  for (int s = 0; s < plan.program.stages; ++s) {
    st.stages.push_back({s, plan.program.rank_of(s), plan.costs.f_of(s), plan.costs.i_of(s), plan.costs.w_of(s)});
  }
  const std::vector<ModelStateBytes> states = model_state_bytes(p, m);
  // The model's split of each pass (measured times have none).
  const bool modelled = plan.real_time() && p.model == CostModel::Transformer && p.time_f.empty() && !p.measured;
  const RealCostNanoseconds split = modelled ? real_cost_nanoseconds(p) : RealCostNanoseconds{};
  const double layers = plan.costs.layers_per_stage;

  std::int64_t total_busy = 0, total_idle = 0, longest_span = 0, longest_busy = 0;
  for (std::size_t r = 0; r < t.per_rank.size(); ++r) {
    RankStats rs;
    const auto& rank = t.per_rank[r];
    for (const auto& a : rank) {
      rs.busy += a.length;
      if (!modelled) continue;
      for_each_pass(a, plan.costs, [&](const Step& st, std::int64_t, std::int64_t) {
        const auto& c = split.per_stage[static_cast<std::size_t>(st.stage)];
        if (st.op == Op::F) {
          rs.tp_communication += std::llround(c.tp_f);
          rs.cp_communication += std::llround(c.cp_f);
          rs.ep_communication += std::llround(c.ep_f);
          rs.fsdp_communication += std::llround(c.fsdp_f);
        } else if (st.op == Op::I || st.op == Op::B) {
          rs.tp_communication += std::llround(c.tp_i);
          rs.cp_communication += std::llround(c.cp_i);
          rs.ep_communication += std::llround(c.ep_i);
          rs.fsdp_communication += std::llround(c.fsdp_i);
          rs.recompute += std::llround(c.recompute);
        }
      });
    }
    rs.idle = t.makespan - rs.busy;
    if (!rank.empty()) {
      rs.first_start = rank.front().start;
      rs.last_end = rank.back().end();
    }
    double bytes = 0;
    int stored = 0;
    for (const Change& c : memory_changes(rank, plan, p, m)) {
      bytes += c.bytes;
      stored += c.stored;
      rs.peak_activation_bytes = std::max(rs.peak_activation_bytes, bytes);
      rs.peak_activations = std::max(rs.peak_activations, stored * layers);
    }
    const ModelStateBytes& ms = states[r];
    rs.parameters = ms.parameters;
    rs.weights_bytes = ms.weights;
    rs.gradients_bytes = ms.gradients;
    rs.optimizer_bytes = ms.optimizer;
    rs.overhead_bytes = ms.overhead;
    rs.peak_activation_bytes += ms.recompute_buffer;
    rs.static_memory_bytes = ms.total() - ms.recompute_buffer;
    rs.peak_memory_bytes = rs.static_memory_bytes + rs.peak_activation_bytes;
    rs.over_memory = rs.peak_memory_bytes > st.gpu_memory_bytes;
    total_busy += rs.busy;
    total_idle += rs.idle;
    if (rs.last_end - rs.first_start > longest_span) {
      longest_span = rs.last_end - rs.first_start;
      longest_busy = rs.busy;
    }
    st.ranks.push_back(rs);
  }
  const double ranks = static_cast<double>(t.per_rank.size());
  st.bubble_idle_over_compute = total_busy > 0 ? static_cast<double>(total_idle) / static_cast<double>(total_busy) : 0;
  st.bubble_idle_over_wall =
      t.makespan > 0 ? static_cast<double>(total_idle) / (ranks * static_cast<double>(t.makespan)) : 0;
  st.bubble_playground =
      longest_span > 0 ? 1.0 - static_cast<double>(longest_busy) / static_cast<double>(longest_span) : 0;

  // The whole step, every replica: each send carries one microbatch's
  // activation (or its gradient); each replica exchanges every layer's
  // gradients with the next replica, in two messages (one a weight, as the
  // scene draws it).
  st.pipeline_messages = static_cast<std::int64_t>(t.sends.size()) * p.dp;
  st.pipeline_bytes = static_cast<double>(st.pipeline_messages) * m.send_bytes;
  st.dp_messages = static_cast<std::int64_t>(2 * t.exchanges.size()) * (p.dp - 1);
  st.dp_bytes = static_cast<double>(st.dp_messages) / 2 * m.layer_gradient_bytes;
  return st;
}

}  // namespace pipescope
