#pragma once
// The seed notebook's helpers (set_color, make_grad, flash_solid, fwd,
// bwd_act, bwd_weight), shared by the notebook's own generators and the
// animator of every other schedule, so a face or cuboid means the same thing
// in both: an activation turns green when computed, red when its gradient is,
// and disappears once its weight gradient is done; a weight turns red when its
// gradient is complete.

#include <cstdint>
#include <vector>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/animate/steps.hpp"

namespace pipescope::detail {

using Objects = std::vector<ObjectIndex>;

struct NotebookHelpers {
  const Layout& layout;
  StateWriter& w;
  // Frames each matmul stays lit: 1 in the notebook; --cost-f/-i/-w scale them.
  std::int64_t hold_f = 1, hold_i = 1, hold_w = 1;

  void set_color(ObjectIndex o, VisualState color) { w.set(o, color); }
  void make_grad(ObjectIndex o) { w.set(o, VisualState::Red); }
  void hide(ObjectIndex o) { w.set(o, VisualState::Hidden); }
  void show_solid(ObjectIndex o) { w.set(o, VisualState::Lit); }
  void dim_solid(ObjectIndex o) { w.set(o, VisualState::Dim); }
  void hide_solid(ObjectIndex o) { w.set(o, VisualState::Hidden); }

  Steps flash_solid(ObjectIndex solid, std::int64_t steps) {
    dim_solid(solid);
    co_yield step;
    for (std::int64_t i = 0; i < steps; ++i) {
      show_solid(solid);
      co_yield step;
      dim_solid(solid);
      co_yield step;
    }
    hide_solid(solid);
    co_yield step;
  }

  Steps fwd(ObjectIndex y, ObjectIndex flop) {
    show_solid(flop);
    set_color(y, VisualState::Green);
    for (std::int64_t h = 0; h < hold_f; ++h) co_yield step;  // the notebook's one `yield`, held
    hide_solid(flop);
  }

  Steps bwd_act(ObjectIndex x, ObjectIndex flop) {
    show_solid(flop);
    make_grad(x);
    for (std::int64_t h = 0; h < hold_i; ++h) co_yield step;  // the notebook's one `yield`, held
    hide_solid(flop);
  }

  // The weight's gradient over the microbatches in `ys`; the weight turns red
  // with the last of them when `completes` (the notebook always passes all
  // microbatches; a per-microbatch W completes it only if it is the last).
  Steps bwd_weight(Objects ys, ObjectIndex weight, Objects flops, Objects xs = {}, bool completes = true) {
    const std::size_t n = ys.size();
    for (std::size_t i = 0; i < n + 1; ++i) {
      if (i < n) {
        show_solid(flops[i]);
        if (i == n - 1 && completes) make_grad(weight);
        for (std::int64_t h = 0; h < hold_w; ++h) co_yield step;  // the notebook's one `yield`, held
      }
      if (i > 0) {
        hide_solid(flops[i - 1]);
        hide(ys[i - 1]);
        if (!xs.empty()) hide(xs[i - 1]);
      }
    }
  }
};

}  // namespace pipescope::detail
