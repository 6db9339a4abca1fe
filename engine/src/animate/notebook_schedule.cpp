// The seed notebook's generators, one for one. Names follow the notebook
// (set_color, make_grad, flash_solid, fwd, bwd_act, bwd_weight,
// microbatch_frame_gen_fwd, ...) so the two can be read side by side.

#include <vector>

#include "pipescope/animate/schedule.hpp"
#include "notebook_helpers.hpp"

namespace pipescope {

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::Setup: return "setup";
    case Phase::Forward: return "forward";
    case Phase::BackwardActivation: return "backward (activations)";
    case Phase::BackwardWeight: return "backward (weights)";
    case Phase::GradientExchange: return "gradient exchange";
    case Phase::Done: return "done";
  }
  return "";
}

namespace {

using detail::Objects;

// One data-parallel replica: the notebook's Pipeline object.
struct Pipeline : detail::NotebookHelpers {
  int r;
  bool dp_comms;     // exchanges gradients with replica r + 1
  bool wait_for_dp;  // dp > 1: idles while the others exchange
  int L, pipeline_intvl, microbatches;
  std::int64_t pp_comm_steps, dp_comm_steps;

  Objects residual_activations(int l) const { return per_microbatch(&Layout::residual, l); }
  Objects hidden_activations(int l) const { return per_microbatch(&Layout::hidden, l); }
  Objects terminal_residual_activations(int s) const { return per_microbatch(&Layout::stage_input, s); }
  Objects flops1m(int l) const { return per_microbatch(&Layout::flop1, l); }
  Objects flops2m(int l) const { return per_microbatch(&Layout::flop2, l); }

  Objects per_microbatch(ObjectIndex (Layout::*get)(int, int, int) const, int l) const {
    Objects out(static_cast<std::size_t>(microbatches));
    for (int m = 0; m < microbatches; ++m) out[m] = (layout.*get)(r, l, m);
    return out;
  }

  // `yield from g` is `for (auto g = ...; g.next();) co_yield step;`, and
  // `yield from idle(n)` is `co_yield IdleFor{n};` (the same steps, free).
  Steps microbatch_frame_gen_fwd(int m) {
    w.enter_phase(Phase::Forward);
    co_yield step;
    const int steps_per_stage = 2 * pipeline_intvl + 1;
    co_yield IdleFor{static_cast<std::int64_t>(m) * steps_per_stage};
    for (int l0 = 0; l0 < L; l0 += pipeline_intvl) {
      if (l0 > 0) {
        const ObjectIndex send = layout.pipe_send(r, (l0 - 1) / pipeline_intvl, m);
        for (auto g = flash_solid(send, pp_comm_steps); g.next();) co_yield step;
      }
      set_color(layout.stage_input(r, l0 / pipeline_intvl, m), VisualState::Green);
      co_yield step;
      for (int l = l0; l < l0 + pipeline_intvl; ++l) {
        for (auto g = fwd(layout.hidden(r, l, m), layout.flop1(r, l, m)); g.next();) co_yield step;
        for (auto g = fwd(layout.residual(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
      }
    }
    co_yield IdleFor{static_cast<std::int64_t>(microbatches - m - 1) * steps_per_stage};
    co_yield step;
  }

  Steps microbatch_frame_gen_bwd(int m) {
    w.enter_phase(Phase::BackwardActivation);
    const int steps_per_stage = 2 * pipeline_intvl + 1;
    co_yield IdleFor{static_cast<std::int64_t>(m) * steps_per_stage};
    for (int l0 = L - pipeline_intvl; l0 > -pipeline_intvl; l0 -= pipeline_intvl) {
      make_grad(layout.residual(r, l0 + pipeline_intvl - 1, m));
      co_yield step;
      for (int l = l0 + pipeline_intvl - 1; l > l0; --l) {
        for (auto g = bwd_act(layout.hidden(r, l, m), layout.flop2(r, l, m)); g.next();) co_yield step;
        for (auto g = bwd_act(layout.residual(r, l - 1, m), layout.flop1(r, l, m)); g.next();)
          co_yield step;
      }
      for (auto g = bwd_act(layout.hidden(r, l0, m), layout.flop2(r, l0, m)); g.next();) co_yield step;
      for (auto g = bwd_act(layout.stage_input(r, l0 / pipeline_intvl, m), layout.flop1(r, l0, m));
           g.next();)
        co_yield step;
      if (l0 > 0) {
        const ObjectIndex send = layout.pipe_send(r, (l0 - 1) / pipeline_intvl, m);
        for (auto g = flash_solid(send, pp_comm_steps); g.next();) co_yield step;
      }
    }
    co_yield IdleFor{static_cast<std::int64_t>(microbatches - m - 1) * steps_per_stage};
    co_yield step;
  }

  Steps gen_bwd_weight(int l0) {
    w.enter_phase(Phase::BackwardWeight);
    for (int l = l0 + pipeline_intvl - 1; l > l0; --l) {
      for (auto g = bwd_weight(residual_activations(l), layout.weight2(r, l), flops2m(l)); g.next();)
        co_yield step;
      for (auto g = bwd_weight(hidden_activations(l), layout.weight1(r, l), flops1m(l)); g.next();)
        co_yield step;
    }
    for (auto g = bwd_weight(residual_activations(l0), layout.weight2(r, l0), flops2m(l0)); g.next();)
      co_yield step;
    for (auto g = bwd_weight(hidden_activations(l0), layout.weight1(r, l0), flops1m(l0),
                             terminal_residual_activations(l0 / pipeline_intvl));
         g.next();)
      co_yield step;
    if (dp_comms || wait_for_dp) w.enter_phase(Phase::GradientExchange);
    if (dp_comms) {
      for (int l = l0 + pipeline_intvl - 1; l > l0 - 1; --l) {
        for (auto g = flash_solid(layout.all_reduce1(r, l), dp_comm_steps); g.next();) co_yield step;
        for (auto g = flash_solid(layout.all_reduce2(r, l), dp_comm_steps); g.next();) co_yield step;
      }
    } else if (wait_for_dp) {
      co_yield IdleFor{pipeline_intvl * (4 * dp_comm_steps + 4)};
    }
    w.enter_phase(Phase::Done);
    co_yield IdleFor{20};
  }

  Steps frame_gen() {
    std::vector<Steps> fwd_gens, bwd_gens, weight_gens;
    for (int m = 0; m < microbatches; ++m) fwd_gens.push_back(microbatch_frame_gen_fwd(m));
    for (int m = 0; m < microbatches; ++m) bwd_gens.push_back(microbatch_frame_gen_bwd(m));
    for (int l0 = 0; l0 < L; l0 += pipeline_intvl) weight_gens.push_back(gen_bwd_weight(l0));
    std::vector<Steps> phases;
    phases.push_back(zip(std::move(fwd_gens)));
    phases.push_back(zip(std::move(bwd_gens)));
    phases.push_back(zip(std::move(weight_gens)));
    return chain(std::move(phases));
  }
};

// Owns the pipelines for as long as the steps run: they live in this
// coroutine's frame.
Steps notebook_update_gen(const Layout& layout, StateWriter& writer) {
  const Params& p = layout.params();
  std::vector<Pipeline> pipelines;
  // The notebook builds replicas from the last to the first and zips them
  // in that order.
  for (int r = static_cast<int>(p.dp) - 1; r >= 0; --r) {
    pipelines.push_back(Pipeline{{layout, writer}, r, r < p.dp - 1, p.dp > 1, static_cast<int>(p.L),
                                 static_cast<int>(p.layers_per_stage()),
                                 static_cast<int>(p.microbatches), p.pp_comm_steps, p.dp_comm_steps});
  }
  std::vector<Steps> gens;
  for (auto& pipeline : pipelines) gens.push_back(pipeline.frame_gen());
  for (auto update_gen = zip(std::move(gens)); update_gen.next();) co_yield step;
}

class NotebookSchedule final : public Schedule {
 public:
  std::string_view name() const override { return "notebook"; }
  Steps steps(const Layout& layout, StateWriter& writer) const override {
    return notebook_update_gen(layout, writer);
  }
};

}  // namespace

std::unique_ptr<Schedule> make_notebook_schedule() { return std::make_unique<NotebookSchedule>(); }

}  // namespace pipescope
