#include "pipescope/schedule_stats.hpp"

#include <algorithm>

namespace pipescope {

namespace {

// Each pass of a timed action with its own start and end: an overlapped pair
// runs its forward, then its backward.
template <typename Visit>
void for_each_pass(const TimedAction& a, const Costs& c, Visit&& visit) {
  if (a.action.op == Op::Overlap) {
    visit(a.action.first, a.start, a.start + c.f);
    visit(a.action.second, a.start + c.f, a.end());
  } else {
    visit(a.action.first, a.start, a.end());
  }
}

struct Change {
  std::int64_t time;
  int delta;  // stage-microbatches stored: +1 at a forward, -1 when its weight gradient is done
};

std::vector<Change> stored_changes(const std::vector<TimedAction>& rank, const Costs& c) {
  std::vector<Change> changes;
  for (const auto& a : rank) {
    for_each_pass(a, c, [&](const Step& st, std::int64_t start, std::int64_t end) {
      if (st.op == Op::F) changes.push_back({start, +1});
      if (st.op == Op::W || st.op == Op::B) changes.push_back({end, -1});
    });
  }
  // At one time, what is freed goes before what is stored (the scene hides
  // and shows them in the same frame).
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.time != b.time ? a.time < b.time : a.delta < b.delta;
  });
  return changes;
}

}  // namespace

std::vector<std::vector<MemoryPoint>> activation_memory(const SchedulePlan& plan) {
  std::vector<std::vector<MemoryPoint>> out;
  const double layers = plan.costs.layers_per_stage;
  for (const auto& rank : plan.timing.per_rank) {
    std::vector<MemoryPoint> points{{0, 0}};
    int stored = 0;
    for (const Change& c : stored_changes(rank, plan.costs)) {
      stored += c.delta;
      if (points.back().time == c.time) {
        points.back().microbatch_layers = stored * layers;
      } else {
        points.push_back({c.time, stored * layers});
      }
    }
    out.push_back(std::move(points));
  }
  return out;
}

ScheduleStats schedule_stats(const Params& p, const SchedulePlan& plan, std::int64_t dtype_bytes) {
  ScheduleStats st;
  const Timing& t = plan.timing;
  st.makespan = t.makespan;
  const double rows = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double layers = plan.costs.layers_per_stage;
  const double bytes = static_cast<double>(dtype_bytes);
  // One stage's activations of one microbatch: per layer its hidden and
  // residual outputs, plus the stage's input.
  const double stage_bytes =
      (layers * static_cast<double>(p.hidden() + p.d_model) + static_cast<double>(p.d_model)) * rows * bytes;

  const auto memory = activation_memory(plan);
  std::int64_t total_busy = 0, total_idle = 0, longest_span = 0, longest_busy = 0;
  for (std::size_t r = 0; r < t.per_rank.size(); ++r) {
    RankStats rs;
    const auto& rank = t.per_rank[r];
    for (const auto& a : rank) rs.busy += a.length;
    rs.idle = t.makespan - rs.busy;
    if (!rank.empty()) {
      rs.first_start = rank.front().start;
      rs.last_end = rank.back().end();
    }
    for (const auto& point : memory[r]) rs.peak_activations = std::max(rs.peak_activations, point.microbatch_layers);
    rs.peak_activation_bytes = rs.peak_activations / layers * stage_bytes;
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
  // residual stream (or its gradient); each replica exchanges every layer's
  // two weight gradients (d_model x d_hidden each) with the next replica, as
  // the scene draws it.
  st.pipeline_messages = static_cast<std::int64_t>(t.sends.size()) * p.dp;
  st.pipeline_bytes = static_cast<double>(st.pipeline_messages) * rows * static_cast<double>(p.d_model) * bytes;
  st.dp_messages = static_cast<std::int64_t>(2 * t.exchanges.size()) * (p.dp - 1);
  st.dp_bytes = static_cast<double>(st.dp_messages) * static_cast<double>(p.d_model) *
                static_cast<double>(p.hidden()) * bytes;
  return st;
}

}  // namespace pipescope
