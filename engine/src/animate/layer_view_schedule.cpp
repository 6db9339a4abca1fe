// The layer view's animation (layer_view.hpp): the layer's matmuls in order
// through the forward, the backward and the weight gradients, each held for
// a few frames so a person can follow it, its collectives lit around it.

#include <algorithm>
#include <cmath>
#include <vector>

#include "pipescope/animate/layer_view_frame.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/model/layer_view.hpp"

namespace pipescope {

namespace {

// Frames each step is held: a step is one matmul (or the experts together)
// or the collectives around it.
constexpr int kHold = 6;

void set_all(StateWriter& w, const std::vector<ObjectIndex>& objects, VisualState s) {
  for (ObjectIndex o : objects) w.set(o, s);
}

class LayerViewSchedule final : public Schedule {
 public:
  std::string_view name() const override { return "layer view"; }
  Steps steps(const Layout& layout, StateWriter& w) const override { return animate(layout, w); }

 private:
  // The collectives of `ops` in `field`, lit for a step, then hidden.
  static std::vector<ObjectIndex> gather(const std::vector<LayerViewOp>& ops,
                                         std::vector<ObjectIndex> LayerViewOp::*field) {
    std::vector<ObjectIndex> out;
    for (const LayerViewOp& op : ops) {
      for (ObjectIndex o : op.*field) {
        if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
      }
    }
    return out;
  }

  // One step of the forward (or the backward): the collectives before it,
  // its matmuls lit with their outputs turning green (or inputs red), any
  // collective that runs with them, then those after it; each held.
  static Steps run(StateWriter& w, const std::vector<LayerViewOp>& ops, bool forward, bool fsdp) {
    if (auto before = gather(ops, forward ? &LayerViewOp::before : &LayerViewOp::before_backward); !before.empty()) {
      set_all(w, before, VisualState::Lit);
      for (int h = 0; h < kHold; ++h) co_yield step;
      set_all(w, before, VisualState::Hidden);
    }
    for (const LayerViewOp& op : ops) {
      w.set(op.matmul, VisualState::Lit);
      if (forward) w.set(op.output, VisualState::Green);
      else w.set(op.input, VisualState::Red);
      if (fsdp && op.weight != kNoObject) w.set(op.weight, VisualState::Lit);
    }
    const auto during = gather(ops, &LayerViewOp::during);
    set_all(w, during, VisualState::Lit);
    for (int h = 0; h < kHold; ++h) co_yield step;
    for (const LayerViewOp& op : ops) {
      w.set(op.matmul, VisualState::Dim);
      if (fsdp && op.weight != kNoObject) w.set(op.weight, VisualState::Blue);
    }
    set_all(w, during, VisualState::Hidden);
    if (auto after = gather(ops, forward ? &LayerViewOp::after_forward : &LayerViewOp::after_backward); !after.empty()) {
      set_all(w, after, VisualState::Lit);
      for (int h = 0; h < kHold; ++h) co_yield step;
      set_all(w, after, VisualState::Hidden);
    }
  }

  static Steps animate(const Layout& layout, StateWriter& w) {
    const LayerView& view = *layout.layer_view();
    const auto& steps = view.steps;
    // FSDP (ZeRO 3): each weight is gathered whole for the matmuls that use
    // it, forward and backward: lit meanwhile.
    const bool fsdp = layout.params().zero >= 3;
    // Every matmul dim from the start: the layer's shape reads before it runs.
    for (const auto& ops : steps) {
      for (const LayerViewOp& op : ops) w.set(op.matmul, VisualState::Dim);
    }
    for (int h = 0; h < kHold; ++h) co_yield step;
    w.enter_phase(Phase::Forward);
    w.set(steps.front().front().input, VisualState::Green);
    for (int h = 0; h < kHold; ++h) co_yield step;
    for (const auto& ops : steps) {
      for (auto g = run(w, ops, true, fsdp); g.next();) co_yield step;
    }
    // The backward: the output's gradient arrives, then each matmul from the
    // last gives its input's.
    w.enter_phase(Phase::BackwardActivation);
    for (const LayerViewOp& op : steps.back()) w.set(op.output, VisualState::Red);
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      for (auto g = run(w, *it, false, fsdp); g.next();) co_yield step;
    }
    // The weight gradients (W), from the last matmul back.
    w.enter_phase(Phase::BackwardWeight);
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      bool any = false;
      for (const LayerViewOp& op : *it) {
        if (op.weight == kNoObject) continue;
        w.set(op.matmul, VisualState::Lit);
        w.set(op.weight, VisualState::Red);
        any = true;
      }
      if (!any) continue;
      for (int h = 0; h < kHold; ++h) co_yield step;
      for (const LayerViewOp& op : *it) {
        if (op.weight != kNoObject) w.set(op.matmul, VisualState::Dim);
      }
    }
    w.enter_phase(Phase::Done);
    for (int h = 0; h < kHold; ++h) co_yield step;
  }
};

}  // namespace

std::unique_ptr<Schedule> make_layer_view_schedule() { return std::make_unique<LayerViewSchedule>(); }

}  // namespace pipescope

namespace pipescope {

std::uint32_t layer_view_frame(const Timeline& layer, const SchedulePlan& plan, std::size_t rank, std::int64_t time) {
  if (rank >= plan.timing.per_rank.size()) return 0;
  PhaseSpan forward{Phase::Forward, 0, 0}, backward = forward, weight = forward;
  for (const PhaseSpan& s : phase_spans(layer)) {
    if (s.phase == Phase::Forward) forward = s;
    if (s.phase == Phase::BackwardActivation) backward = s;
    if (s.phase == Phase::BackwardWeight) weight = s;
  }
  auto at = [](const PhaseSpan& s, double share) {
    return s.first + static_cast<std::uint32_t>(std::lround(std::clamp(share, 0.0, 1.0) * (s.last - s.first)));
  };
  std::uint32_t frame = 0;
  for (const TimedAction& a : plan.timing.per_rank[rank]) {
    if (time < a.start || time >= a.end()) continue;
    for_each_pass(a, plan.costs, [&](const Step& st, std::int64_t start, std::int64_t end) {
      if (time < start || time >= end) return;
      const double share = static_cast<double>(time - start) / static_cast<double>(std::max<std::int64_t>(1, end - start));
      switch (st.op) {
        case Op::F: frame = at(forward, share); break;
        case Op::I: frame = at(backward, share); break;
        case Op::W: frame = at(weight, share); break;
        case Op::B: {
          // The backward's frames, then the weights', in proportion to their lengths.
          const double b = backward.last - backward.first + 1.0, w = weight.last - weight.first + 1.0;
          const double split = b / (b + w);
          frame = share < split ? at(backward, share / split) : at(weight, (share - split) / (1.0 - split));
          break;
        }
        case Op::Overlap: break;
      }
    });
  }
  return frame;
}

}  // namespace pipescope
