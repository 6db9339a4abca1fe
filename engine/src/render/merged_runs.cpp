#include "pipescope/render/merged_runs.hpp"

#include <algorithm>

namespace pipescope {

namespace {

class RunBuilder {
 public:
  RunBuilder(const Layout& layout, std::span<const VisualState> states, std::vector<MergedRun>& out)
      : layout_(layout), states_(states), out_(out) {}

  // Objects in microbatch order; a run ends where the state changes.
  template <typename Lookup>
  void runs(int microbatches, Lookup object_of) {
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::size_t open = kNone;  // an index: out_ may grow
    for (int m = 0; m < microbatches; ++m) {
      const ObjectIndex i = object_of(m);
      const VisualState s = states_[i];
      if (s == VisualState::Hidden) {
        open = kNone;
        continue;
      }
      const Box& b = layout_[i].box;
      if (open != kNone && out_[open].state == s) {
        MergedRun& run = out_[open];
        for (int a = 0; a < 3; ++a) {
          run.box.lo[a] = std::min(run.box.lo[a], b.lo[a]);
          run.box.hi[a] = std::max(run.box.hi[a], b.hi[a]);
        }
        ++run.count;
      } else {
        open = out_.size();
        out_.push_back({b, i, 1, s});
      }
    }
  }
  void single(ObjectIndex i) {
    if (states_[i] != VisualState::Hidden) out_.push_back({layout_[i].box, i, 1, states_[i]});
  }

 private:
  const Layout& layout_;
  std::span<const VisualState> states_;
  std::vector<MergedRun>& out_;
};

}  // namespace

std::vector<MergedRun> merge_microbatch_runs(const Layout& layout, std::span<const VisualState> states) {
  const Params& p = layout.params();
  const int dp = static_cast<int>(p.dp), L = static_cast<int>(p.L), mb = static_cast<int>(p.microbatches);
  const int stages = static_cast<int>(p.stages());
  std::vector<MergedRun> out;
  RunBuilder builder(layout, states, out);
  for (int r = 0; r < dp; ++r) {
    for (int l = 0; l < L; ++l) {
      builder.single(layout.weight1(r, l));
      builder.single(layout.weight2(r, l));
      if (r < dp - 1) {  // the gradient exchange with the next replica
        builder.single(layout.all_reduce1(r, l));
        builder.single(layout.all_reduce2(r, l));
      }
      builder.runs(mb, [&](int m) { return layout.hidden(r, l, m); });
      builder.runs(mb, [&](int m) { return layout.residual(r, l, m); });
      builder.runs(mb, [&](int m) { return layout.flop1(r, l, m); });
      builder.runs(mb, [&](int m) { return layout.flop2(r, l, m); });
      if (layout.has_tensor_reduces()) builder.runs(mb, [&](int m) { return layout.tensor_reduce(r, l, m); });
    }
    for (int s = 0; s < stages; ++s) {
      builder.runs(mb, [&](int m) { return layout.stage_input(r, s, m); });
      if (s < stages - 1) builder.runs(mb, [&](int m) { return layout.pipe_send(r, s, m); });
      if (layout.has_tensor_reduces()) builder.runs(mb, [&](int m) { return layout.tensor_reduce_in(r, s, m); });
    }
  }
  return out;
}

float microbatch_pixels(const Layout& layout, const Camera& camera, int height) {
  if (layout.size() == 0) return 0.0f;
  const Box& slab = layout[layout.hidden(0, 0, 0)].box;
  const double extent = slab.hi[1] - slab.lo[1];
  return static_cast<float>(extent) * static_cast<float>(height) / (2.0f * camera.half_height_at_target());
}

}  // namespace pipescope
