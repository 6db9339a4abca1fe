// The notebook schedule's timed actions, in closed form from its generators
// (notebook_schedule.cpp), so lanes, statistics and traces show exactly what
// its animation shows. Its timing is not dependency-driven: phases are
// separated by barriers (every forward, then every backward through
// activations, then all weight gradients at once), and each weight's gradient
// is computed for all microbatches in turn; here that batch is cut into one W
// per microbatch, back to back, with the same total length.

#include "notebook_plan.hpp"

#include <algorithm>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope::detail {

SchedulePlan notebook_plan(const Params& p) {
  SchedulePlan plan;
  const int P = static_cast<int>(p.pp), M = static_cast<int>(p.microbatches);
  const std::int64_t lps = p.layers_per_stage();
  const std::int64_t sps = 2 * lps + 1;                     // frames of a stage's F or I
  const std::int64_t send = 2 * p.pp_comm_steps + 2;        // flash_solid's frames
  const std::int64_t flash = 2 * p.dp_comm_steps + 2;
  plan.program = build_program(ScheduleKind::Notebook, P, M, 1);
  plan.costs = costs_for(p);
  plan.costs.send = send;
  plan.costs.exchange_flash = flash;
  plan.notebook = true;
  Timing& t = plan.timing;
  t.per_rank.resize(static_cast<std::size_t>(P));

  // Simulation time t is timeline frame t + 1 (frame 0 is the scene before
  // any step). The forward phase opens with one step of its own.
  const std::int64_t forward_len = 2 + (M - 1) * sps + P * sps + (P - 1) * send;
  const std::int64_t backward_len = (M - 1) * sps + P * sps + (P - 1) * send + 1;
  const std::int64_t backward_start = forward_len;             // frame forward_len + 1
  const std::int64_t weight_start = forward_len + backward_len;
  const std::int64_t weight_len = 2 * lps;                     // one microbatch's share

  for (int s = 0; s < P; ++s) {
    auto& rank = t.per_rank[static_cast<std::size_t>(s)];
    for (int m = 0; m < M; ++m) {
      const std::int64_t start = 1 + m * sps + s * (sps + send);
      rank.push_back({Action::single(Op::F, s, m), start, sps, 0, {}});
      if (s + 1 < P) t.sends.push_back({s, s + 1, m, false, start + sps, send});
    }
    for (int m = 0; m < M; ++m) {
      const std::int64_t start = backward_start + m * sps + (P - 1 - s) * (sps + send);
      rank.push_back({Action::single(Op::I, s, m), start, sps, 0, {}});
      if (s > 0) t.sends.push_back({s, s - 1, m, true, start + sps, send});
    }
    for (int m = 0; m < M; ++m) {
      rank.push_back({Action::single(Op::W, s, m), weight_start + m * weight_len, weight_len, 0, {}});
    }
    // What each action waited for: the gap after its rank's previous one.
    for (std::size_t i = 1; i < rank.size(); ++i) {
      TimedAction& a = rank[i];
      a.waited = a.start - rank[i - 1].end();
      const Step& st = a.action.first;
      if (a.waited <= 0) {
        a.waited = 0;
      } else if (st.op == Op::F) {
        a.waited_for = {Op::F, st.stage - 1, st.microbatch};
      } else if (st.op == Op::I) {
        a.waited_for = st.stage == P - 1 ? Step{Op::F, st.stage, st.microbatch} : Step{Op::I, st.stage + 1, st.microbatch};
      } else {
        a.waited_for = {Op::I, 0, M - 1};  // the barrier: the last backward anywhere
      }
    }
    if (p.dp > 1) {
      // Each stage's layers, last first: both weights of a layer flash in turn.
      std::int64_t at = weight_start + M * weight_len;
      for (std::int64_t l = (s + 1) * lps - 1; l >= s * lps; --l) {
        t.exchanges.push_back({s, static_cast<int>(l), s, at, flash});
        at += 2 * flash;
      }
    }
  }
  // The step ends when its last action or exchange does; the animation's
  // twenty still frames after it are not part of it.
  t.makespan = 0;
  for (const auto& rank : t.per_rank) {
    for (const auto& a : rank) t.makespan = std::max(t.makespan, a.end());
  }
  for (const auto& e : t.exchanges) t.makespan = std::max(t.makespan, e.end());
  return plan;
}

}  // namespace pipescope::detail
