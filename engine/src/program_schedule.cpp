// Animates any schedule's timed actions with the notebook's helpers: each
// action, send and exchange becomes a step generator that starts at its
// frame, on every replica. Only running generators are stepped, so a frame in
// which nothing starts or runs costs nothing per waiting action.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "notebook_helpers.hpp"
#include "pipescope/schedule.hpp"
#include "pipescope/simulate.hpp"

namespace pipescope {

namespace {

// One replica's passes, in the notebook's order of matmuls.
struct ReplicaSteps : detail::NotebookHelpers {
  int r;
  int layers_per_stage;
  std::int64_t pp_comm_steps, dp_comm_steps;

  int first_layer(int s) const { return s * layers_per_stage; }

  // The stage's input arrives, then each layer's two matmuls.
  Steps forward(int s, int m) {
    const int l0 = first_layer(s);
    set_color(layout.stage_input(r, s, m), VisualState::Green);
    for (std::int64_t h = 0; h < hold_f; ++h) co_yield step;
    for (int l = l0; l < l0 + layers_per_stage; ++l) {
      for (auto g = fwd(layout.hidden(r, l, m), layout.flop1(r, l, m)); g.next();) co_yield step;
      for (auto g = fwd(layout.residual(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
    }
  }

  // The output's gradient arrives, then the gradients flow back to the input.
  Steps backward_input(int s, int m) {
    const int l0 = first_layer(s), last = l0 + layers_per_stage - 1;
    make_grad(layout.residual(r, last, m));
    for (std::int64_t h = 0; h < hold_i; ++h) co_yield step;
    for (int l = last; l > l0; --l) {
      for (auto g = bwd_act(layout.hidden(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
      for (auto g = bwd_act(layout.residual(r, l - 1, m), layout.flop1(r, l, m)); g.next();) co_yield step;
    }
    for (auto g = bwd_act(layout.hidden(r, l0, m), layout.flop2(r, l0, m)); g.next();) co_yield step;
    for (auto g = bwd_act(layout.stage_input(r, s, m), layout.flop1(r, l0, m)); g.next();) co_yield step;
  }

  // This microbatch's share of every weight gradient of the stage, from the
  // last layer back; `completes` when it is the stage's last one.
  Steps backward_weight(int s, int m, bool completes) {
    const int l0 = first_layer(s);
    for (int l = l0 + layers_per_stage - 1; l >= l0; --l) {
      for (auto g = bwd_weight({layout.residual(r, l, m)}, layout.weight2(r, l), {layout.flop2(r, l, m)}, {},
                               completes);
           g.next();)
        co_yield step;
      detail::Objects inputs;
      if (l == l0) inputs.push_back(layout.stage_input(r, s, m));
      for (auto g = bwd_weight({layout.hidden(r, l, m)}, layout.weight1(r, l), {layout.flop1(r, l, m)}, inputs,
                               completes);
           g.next();)
        co_yield step;
    }
  }

  Steps pass(const Step& st, bool completes) {
    switch (st.op) {
      case Op::F: return forward(st.stage, st.microbatch);
      case Op::I: return backward_input(st.stage, st.microbatch);
      case Op::W: return backward_weight(st.stage, st.microbatch, completes);
      case Op::B: {
        std::vector<Steps> both;
        both.push_back(backward_input(st.stage, st.microbatch));
        both.push_back(backward_weight(st.stage, st.microbatch, completes));
        return chain(std::move(both));
      }
      case Op::Overlap: break;
    }
    return idle(0);
  }

  // The send between stage `boundary` and the next, either way.
  Steps send(int boundary, int m) { return flash_solid(layout.pipe_send(r, boundary, m), pp_comm_steps); }

  // A layer's gradient exchanged with replica r + 1: both weights, in turn.
  Steps exchange(int l) {
    for (auto g = flash_solid(layout.all_reduce1(r, l), dp_comm_steps); g.next();) co_yield step;
    for (auto g = flash_solid(layout.all_reduce2(r, l), dp_comm_steps); g.next();) co_yield step;
  }
};

// Something that starts at a frame: an action, a send or an exchange.
struct Start {
  std::int64_t frame;
  enum Kind : std::uint8_t { Action, Send, Exchange } kind;
  std::uint32_t index;  // into its rank's actions, the sends or the exchanges
  std::uint32_t rank;
};

Phase phase_of(Op op) {
  switch (op) {
    case Op::F: return Phase::Forward;
    case Op::I: return Phase::BackwardActivation;
    case Op::W: return Phase::BackwardWeight;
    case Op::B:
    case Op::Overlap: return Phase::BackwardActivation;
  }
  return Phase::Done;
}

// Owns the plan and the replicas' helpers for as long as the steps run.
Steps program_update_gen(const Layout& layout, StateWriter& writer, const std::optional<Program>& program) {
  const Params& p = layout.params();
  SchedulePlan plan;
  if (program) {
    plan.program = *program;
    plan.costs = costs_for(p);
    plan.timing = simulate(plan.program, plan.costs);
  } else {
    plan = make_plan(p);
  }
  const Timing& t = plan.timing;

  std::vector<ReplicaSteps> replicas;
  for (int r = 0; r < p.dp; ++r) {
    replicas.push_back(ReplicaSteps{{layout, writer, p.cost_f, p.cost_i, p.cost_w}, r,
                                    static_cast<int>(p.layers_per_stage()), p.pp_comm_steps, p.dp_comm_steps});
  }
  // Which W (or B) of each stage is its last: that one turns the weights red.
  std::vector<std::int64_t> last_weight_end(static_cast<std::size_t>(plan.program.stages), -1);
  for (const auto& rank : t.per_rank) {
    for (const auto& a : rank) {
      const Step& st = a.action.op == Op::Overlap ? a.action.second : a.action.first;
      if (st.op == Op::W || st.op == Op::B) {
        auto& last = last_weight_end[static_cast<std::size_t>(st.stage)];
        last = std::max(last, a.end());
      }
    }
  }
  auto completes = [&](const Step& st, std::int64_t end) {
    return end == last_weight_end[static_cast<std::size_t>(st.stage)];
  };

  // Simulation time t is frame t + 1: frame 0 shows the scene before any step.
  std::vector<Start> starts;
  for (std::size_t r = 0; r < t.per_rank.size(); ++r) {
    for (std::size_t i = 0; i < t.per_rank[r].size(); ++i) {
      starts.push_back({t.per_rank[r][i].start + 1, Start::Action, static_cast<std::uint32_t>(i),
                        static_cast<std::uint32_t>(r)});
    }
  }
  for (std::size_t i = 0; i < t.sends.size(); ++i) {
    if (t.sends[i].length > 0) starts.push_back({t.sends[i].start + 1, Start::Send, static_cast<std::uint32_t>(i), 0});
  }
  for (std::size_t i = 0; i < t.exchanges.size(); ++i) {
    if (t.exchanges[i].flash > 0) {
      starts.push_back({t.exchanges[i].start + 1, Start::Exchange, static_cast<std::uint32_t>(i), 0});
    }
  }
  std::stable_sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.frame < b.frame; });

  struct Running {
    Steps steps;
    Phase phase;
  };
  std::vector<Running> running;
  auto start = [&](const Start& s) {
    for (auto& rep : replicas) {
      switch (s.kind) {
        case Start::Action: {
          const TimedAction& a = t.per_rank[s.rank][s.index];
          const Phase phase = phase_of(a.action.op);
          if (a.action.op == Op::Overlap) {
            std::vector<Steps> pair;
            pair.push_back(rep.pass(a.action.first, false));
            pair.push_back(rep.pass(a.action.second, completes(a.action.second, a.end())));
            running.push_back({chain(std::move(pair)), phase});
          } else {
            running.push_back({rep.pass(a.action.first, completes(a.action.first, a.end())), phase});
          }
          break;
        }
        case Start::Send: {
          const TimedSend& send = t.sends[s.index];
          running.push_back({rep.send(std::min(send.from_stage, send.to_stage), send.microbatch),
                             send.backward ? Phase::BackwardActivation : Phase::Forward});
          break;
        }
        case Start::Exchange:
          // Replica r exchanges with r + 1; the last has no exchange objects.
          if (rep.r + 1 < p.dp) running.push_back({rep.exchange(t.exchanges[s.index].layer), Phase::GradientExchange});
          break;
      }
    }
  };

  std::size_t next_start = 0;
  for (std::int64_t frame = 1;; ++frame) {
    while (next_start < starts.size() && starts[next_start].frame == frame) start(starts[next_start++]);
    // The frame's phase: the most telling work under way (gradients flowing
    // back, then forwards, then weight gradients, then exchanges).
    std::array<bool, kPhaseCount> under_way{};
    std::erase_if(running, [&](Running& run) {
      if (!run.steps.next()) return true;
      under_way[static_cast<std::size_t>(run.phase)] = true;
      return false;
    });
    Phase phase = Phase::Done;
    for (Phase candidate : {Phase::BackwardActivation, Phase::Forward, Phase::BackwardWeight, Phase::GradientExchange}) {
      if (under_way[static_cast<std::size_t>(candidate)]) {
        phase = candidate;
        break;
      }
    }
    writer.enter_phase(phase);
    co_yield step;
    if (running.empty() && next_start == starts.size()) break;
  }
}

class ProgramSchedule final : public Schedule {
 public:
  explicit ProgramSchedule(std::optional<Program> program) : program_(std::move(program)) {}
  std::string_view name() const override { return "program"; }
  Steps steps(const Layout& layout, StateWriter& writer) const override {
    return program_update_gen(layout, writer, program_);
  }

 private:
  std::optional<Program> program_;
};

}  // namespace

std::unique_ptr<Schedule> make_program_schedule(std::optional<Program> program) {
  return std::make_unique<ProgramSchedule>(std::move(program));
}

}  // namespace pipescope
