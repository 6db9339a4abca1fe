// Animates any schedule's timed actions with the notebook's helpers: each
// action, send and exchange becomes a step generator that starts at its
// frame, on every replica. Only running generators are stepped, so a frame in
// which nothing starts or runs costs nothing per waiting action.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "notebook_helpers.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

namespace {

// One replica's passes, in the notebook's order of matmuls.
struct ReplicaSteps : detail::NotebookHelpers {
  int r;
  int layers_per_stage;
  std::int64_t pp_comm_steps, dp_comm_steps;

  int first_layer(int s) const { return s * layers_per_stage; }

  // A tp all-reduce (tp > 1 only): lit for one step of its pass, as long as
  // a matmul, where Megatron's g (forward) and f (backward) operators sum
  // the tp group's partial results.
  // FSDP (ZeRO 3): a weight is all-gathered whole before each matmul that
  // uses it (forward and input gradient) and freed after: lit meanwhile.
  // (A weight turns red only with its stage's last W, after every F and I
  // of the stage, so it is blue whenever it is gathered.)
  bool gathers = false;
  void gather(ObjectIndex weight) {
    if (gathers) set_color(weight, VisualState::Lit);
  }
  void release(ObjectIndex weight) {
    if (gathers) set_color(weight, VisualState::Blue);
  }

  Steps tensor_reduce(ObjectIndex reduce) {
    show_solid(reduce);
    co_yield step;
    hide_solid(reduce);
  }

  // The stage's input arrives, then each layer's two matmuls.
  Steps forward(int s, int m) {
    const int l0 = first_layer(s);
    set_color(layout.stage_input(r, s, m), VisualState::Green);
    for (std::int64_t h = 0; h < hold_f; ++h) co_yield step;
    for (int l = l0; l < l0 + layers_per_stage; ++l) {
      gather(layout.weight1(r, l));
      for (auto g = fwd(layout.hidden(r, l, m), layout.flop1(r, l, m)); g.next();) co_yield step;
      release(layout.weight1(r, l));
      gather(layout.weight2(r, l));
      for (auto g = fwd(layout.residual(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
      release(layout.weight2(r, l));
      if (layout.has_tensor_reduces()) {
        for (auto g = tensor_reduce(layout.tensor_reduce(r, l, m)); g.next();) co_yield step;
      }
    }
  }

  // The output's gradient arrives, then the gradients flow back to the input.
  Steps backward_input(int s, int m) {
    const int l0 = first_layer(s), last = l0 + layers_per_stage - 1;
    make_grad(layout.residual(r, last, m));
    for (std::int64_t h = 0; h < hold_i; ++h) co_yield step;
    for (int l = last; l > l0; --l) {
      gather(layout.weight2(r, l));
      for (auto g = bwd_act(layout.hidden(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
      release(layout.weight2(r, l));
      gather(layout.weight1(r, l));
      for (auto g = bwd_act(layout.residual(r, l - 1, m), layout.flop1(r, l, m)); g.next();) co_yield step;
      release(layout.weight1(r, l));
      if (layout.has_tensor_reduces()) {
        for (auto g = tensor_reduce(layout.tensor_reduce(r, l - 1, m)); g.next();) co_yield step;
      }
    }
    gather(layout.weight2(r, l0));
    for (auto g = bwd_act(layout.hidden(r, l0, m), layout.flop2(r, l0, m)); g.next();) co_yield step;
    release(layout.weight2(r, l0));
    gather(layout.weight1(r, l0));
    for (auto g = bwd_act(layout.stage_input(r, s, m), layout.flop1(r, l0, m)); g.next();) co_yield step;
    release(layout.weight1(r, l0));
    if (layout.has_tensor_reduces()) {
      for (auto g = tensor_reduce(layout.tensor_reduce_in(r, s, m)); g.next();) co_yield step;
    }
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

// Shows `inner`'s k steps over n frames (real time: an action lasts what it
// costs, not one frame a matmul): by the end of frame j, (j + 1) k / n of
// them have run, so a long pass holds each step and a short one shows
// several steps in a frame. Its last writes land on the frame after.
Steps spread(Steps inner, std::int64_t k, std::int64_t n) {
  std::int64_t done = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    const std::int64_t target = std::min(k, ((j + 1) * k + n - 1) / n);
    while (done < target && inner.next()) ++done;
    co_yield step;
  }
  while (inner.next()) {
  }
}

// Something that starts at a frame: an action, a send or an exchange.
struct Start {
  std::int64_t frame;
  enum Kind : std::uint8_t { Action, Send, Exchange } kind;
  std::uint32_t index;  // into its rank's actions, the sends or the exchanges
  std::uint32_t rank;
  std::int32_t replica;  // -1: every replica (they share one timing)
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
Steps program_update_gen(const Layout& layout, StateWriter& writer, const std::optional<Program>& program,
                         const std::shared_ptr<const SchedulePlan>& ready) {
  const Params& p = layout.params();
  SchedulePlan plan;
  if (ready) {
    plan = *ready;
  } else if (program) {
    plan.program = *program;
    plan.costs = costs_for(p);
    plan.timing = simulate(plan.program, plan.costs);
    plan.frame_length = frame_length_for(p, plan.timing.makespan);
  } else {
    // A measured step replays as it ran, in every scene (stills, dumps, videos).
    plan = p.measured ? measured_plan(p) : make_plan(p);
  }
  const Timing& t = plan.timing;
  // A measured step's replicas each replay their own timing.
  const bool apart = static_cast<std::int64_t>(plan.replica_timing.size()) == p.dp && p.dp > 1;
  auto timing_of = [&](std::int32_t replica) -> const Timing& {
    return replica < 0 || !apart ? t : plan.replica_timing[static_cast<std::size_t>(replica)];
  };
  const bool real = plan.real_time();
  // Real time: each matmul is one step, spread over the pass's span.
  Params unit_steps = p;
  unit_steps.cost_f = unit_steps.cost_i = unit_steps.cost_w = 1;
  const Costs steps_of = frame_costs(real ? unit_steps : p);

  std::vector<ReplicaSteps> replicas;
  for (int r = 0; r < p.dp; ++r) {
    replicas.push_back(ReplicaSteps{{layout, writer, real ? 1 : p.cost_f, real ? 1 : p.cost_i, real ? 1 : p.cost_w},
                                    r, static_cast<int>(p.layers_per_stage()), p.pp_comm_steps, p.dp_comm_steps});
    replicas.back().gathers = p.zero >= 3;
  }
  // A pass of k steps over [start, end) in time, as frames.
  auto over = [&](Steps inner, std::int64_t k, std::int64_t start, std::int64_t end) -> Steps {
    if (!real) return inner;
    return spread(std::move(inner), k, std::max<std::int64_t>(1, plan.frame_of(end) - plan.frame_of(start)));
  };
  // With tp, F and I (and so B) each add a tp all-reduce step a layer.
  const std::int64_t reduce_steps = layout.has_tensor_reduces() ? p.layers_per_stage() : 0;
  auto pass_steps = [&](const Step& st) { return steps_of.length(st) + (st.op == Op::W ? 0 : reduce_steps); };
  // Which W (or B) of each stage is its last: that one turns the weights red.
  // (Per replica when they ran apart.)
  const std::size_t timings = apart ? plan.replica_timing.size() : 1;
  std::vector<std::vector<std::int64_t>> last_weight_end(timings, std::vector<std::int64_t>(static_cast<std::size_t>(plan.program.stages), -1));
  for (std::size_t k = 0; k < timings; ++k) {
    for (const auto& rank : timing_of(apart ? static_cast<std::int32_t>(k) : -1).per_rank) {
      for (const auto& a : rank) {
        const Step& st = a.action.op == Op::Overlap ? a.action.second : a.action.first;
        if (st.op == Op::W || st.op == Op::B) {
          auto& last = last_weight_end[k][static_cast<std::size_t>(st.stage)];
          last = std::max(last, a.end());
        }
      }
    }
  }
  auto completes = [&](const Step& st, std::int64_t end, int replica) {
    return end == last_weight_end[apart ? static_cast<std::size_t>(replica) : 0][static_cast<std::size_t>(st.stage)];
  };

  // Simulation time t is frame t + 1 in frames: frame 0 shows the scene
  // before any step (plan.frame_of).
  std::vector<Start> starts;
  for (std::size_t k = 0; k < timings; ++k) {
    const auto replica = apart ? static_cast<std::int32_t>(k) : -1;
    const Timing& tk = timing_of(replica);
    for (std::size_t r = 0; r < tk.per_rank.size(); ++r) {
      for (std::size_t i = 0; i < tk.per_rank[r].size(); ++i) {
        starts.push_back({plan.frame_of(tk.per_rank[r][i].start), Start::Action, static_cast<std::uint32_t>(i),
                          static_cast<std::uint32_t>(r), replica});
      }
    }
    for (std::size_t i = 0; i < tk.sends.size(); ++i) {
      if (tk.sends[i].length > 0) {
        starts.push_back({plan.frame_of(tk.sends[i].start), Start::Send, static_cast<std::uint32_t>(i), 0, replica});
      }
    }
    for (std::size_t i = 0; i < tk.exchanges.size(); ++i) {
      if (tk.exchanges[i].flash > 0) {
        starts.push_back({plan.frame_of(tk.exchanges[i].start), Start::Exchange, static_cast<std::uint32_t>(i), 0, replica});
      }
    }
  }
  std::stable_sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.frame < b.frame; });

  struct Running {
    Steps steps;
    Phase phase;
  };
  std::vector<Running> running;
  auto start = [&](const Start& s) {
    const Timing& ts = timing_of(s.replica);
    for (auto& rep : replicas) {
      if (s.replica >= 0 && rep.r != s.replica) continue;
      switch (s.kind) {
        case Start::Action: {
          const TimedAction& a = ts.per_rank[s.rank][s.index];
          const Phase phase = phase_of(a.action.op);
          std::vector<Steps> parts;
          for_each_pass(a, plan.costs, [&](const Step& st, std::int64_t start, std::int64_t end) {
            const bool last = a.action.op != Op::Overlap || &st == &a.action.second;
            parts.push_back(over(rep.pass(st, last && completes(st, a.end(), rep.r)), pass_steps(st), start, end));
          });
          running.push_back({parts.size() == 1 ? std::move(parts.front()) : chain(std::move(parts)), phase});
          break;
        }
        case Start::Send: {
          const TimedSend& send = ts.sends[s.index];
          running.push_back({over(rep.send(std::min(send.from_stage, send.to_stage), send.microbatch),
                                  steps_of.send > 0 ? steps_of.send : 2, send.start, send.start + send.length),
                             send.backward ? Phase::BackwardActivation : Phase::Forward});
          break;
        }
        case Start::Exchange: {
          // Replica r exchanges with r + 1; the last has no exchange objects.
          const TimedExchange& e = ts.exchanges[s.index];
          if (rep.r + 1 < p.dp) {
            running.push_back({over(rep.exchange(e.layer), 2 * (steps_of.exchange_flash > 0 ? steps_of.exchange_flash : 2),
                                    e.start, e.end()),
                               Phase::GradientExchange});
          }
          break;
        }
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
    // Real time shows the step to its end (the frame after the one holding
    // it), even when the last pass's steps fit in fewer frames.
    const bool shown = !real || frame >= plan.frame_of(t.makespan) + 1;
    if (running.empty() && next_start == starts.size() && shown) break;
  }
}

class ProgramSchedule final : public Schedule {
 public:
  ProgramSchedule(std::optional<Program> program, std::shared_ptr<const SchedulePlan> plan)
      : program_(std::move(program)), plan_(std::move(plan)) {}
  std::string_view name() const override { return "program"; }
  Steps steps(const Layout& layout, StateWriter& writer) const override {
    return program_update_gen(layout, writer, program_, plan_);
  }

 private:
  std::optional<Program> program_;
  std::shared_ptr<const SchedulePlan> plan_;
};

}  // namespace

std::unique_ptr<Schedule> make_program_schedule(std::optional<Program> program) {
  return std::make_unique<ProgramSchedule>(std::move(program), nullptr);
}

std::unique_ptr<Schedule> make_program_schedule(std::shared_ptr<const SchedulePlan> plan) {
  return std::make_unique<ProgramSchedule>(std::nullopt, std::move(plan));
}

}  // namespace pipescope
