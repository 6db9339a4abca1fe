#include "pipescope/analysis/lanes.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/model/cost_model.hpp"

namespace pipescope {

std::uint32_t lane_colour(BlockKind kind) {
  auto rgba = [](std::uint32_t r, std::uint32_t g, std::uint32_t b) { return r | g << 8 | b << 16 | 0xffu << 24; };
  switch (kind) {
    case BlockKind::Forward: return rgba(60, 160, 60);
    case BlockKind::BackwardInput: return rgba(220, 70, 60);
    case BlockKind::BackwardWeight: return rgba(240, 150, 40);
    case BlockKind::Backward: return rgba(165, 40, 70);
    case BlockKind::Send: return rgba(150, 150, 150);
    case BlockKind::Exchange: return rgba(70, 70, 70);
    case BlockKind::TensorParallel: return rgba(130, 80, 200);
    case BlockKind::ContextParallel: return rgba(20, 150, 160);
    case BlockKind::ExpertParallel: return rgba(150, 100, 40);
    case BlockKind::FsdpGather: return rgba(50, 110, 220);
  }
  return rgba(0, 0, 0);
}

std::vector<Lane> make_lanes(const SchedulePlan& plan) {
  const Timing& t = plan.timing;
  const Costs& c = plan.costs;
  std::vector<Lane> lanes(t.per_rank.size());
  for (std::size_t r = 0; r < t.per_rank.size(); ++r) {
    Lane& lane = lanes[r];
    lane.rank = static_cast<int>(r);
    lane.label = "GPU " + std::to_string(r);
    for (std::size_t i = 0; i < t.per_rank[r].size(); ++i) {
      const TimedAction& a = t.per_rank[r][i];
      const auto index = static_cast<std::int32_t>(i);
      auto add = [&](BlockKind kind, const Step& st, std::int64_t start, std::int64_t end) {
        if (end > start) {
          lane.compute.push_back({start, end, kind, st.stage, st.microbatch, index, a.action.op == Op::Overlap});
        }
      };
      // An overlapped pair shows its two halves (marked as overlapped);
      // a fused backward is one block, as it is one pass.
      auto pass = [&](const Step& st, std::int64_t start, std::int64_t end) {
        switch (st.op) {
          case Op::F: add(BlockKind::Forward, st, start, end); break;
          case Op::I: add(BlockKind::BackwardInput, st, start, end); break;
          case Op::W: add(BlockKind::BackwardWeight, st, start, end); break;
          case Op::B: add(BlockKind::Backward, st, start, end); break;
          case Op::Overlap: break;
        }
      };
      for_each_pass(a, c, pass);
    }
  }
  for (const TimedSend& s : t.sends) {
    if (s.length <= 0) continue;
    Lane& lane = lanes[static_cast<std::size_t>(plan.program.rank_of(s.from_stage))];
    lane.sends.push_back({s.start, s.start + s.length, BlockKind::Send, s.from_stage, s.microbatch, -1});
  }
  for (const TimedExchange& e : t.exchanges) {
    if (e.flash <= 0) continue;
    lanes[static_cast<std::size_t>(e.rank)].exchanges.push_back({e.start, e.end(), BlockKind::Exchange, e.stage, -1, -1});
  }
  for (Lane& lane : lanes) {
    auto by_start = [](const LaneBlock& a, const LaneBlock& b) { return a.start < b.start; };
    for (auto* list : {&lane.compute, &lane.sends, &lane.exchanges}) std::stable_sort(list->begin(), list->end(), by_start);
  }
  return lanes;
}

void add_collectives(std::vector<Lane>& lanes, const SchedulePlan& plan, const RealCostNanoseconds& costs) {
  struct Share {
    BlockKind kind;
    double ns;
  };
  // A pass's shares (ns), by kind, in the order they are drawn.
  auto shares_of = [&](const LaneBlock& b) {
    std::vector<Share> out;
    if (b.stage < 0 || static_cast<std::size_t>(b.stage) >= costs.per_stage.size()) return out;
    const RealCostNanoseconds::Stage& c = costs.per_stage[static_cast<std::size_t>(b.stage)];
    const bool forward = b.kind == BlockKind::Forward;
    if (!forward && b.kind != BlockKind::BackwardInput && b.kind != BlockKind::Backward) return out;
    for (const Share& s : {Share{BlockKind::FsdpGather, forward ? c.fsdp_f : c.fsdp_i},
                           Share{BlockKind::ContextParallel, forward ? c.cp_f : c.cp_i},
                           Share{BlockKind::TensorParallel, forward ? c.tp_f : c.tp_i},
                           Share{BlockKind::ExpertParallel, forward ? c.ep_f : c.ep_i}}) {
      if (s.ns >= 1) out.push_back(s);
    }
    return out;
  };
  (void)plan;
  for (Lane& lane : lanes) {
    for (const LaneBlock& b : lane.compute) {
      if (b.overlapped) continue;  // an overlapped pair's halves hide each other's communication
      // The gathers at the pass's start (they come before its compute), the
      // rest at its end: each as long as its share, within the pass.
      double before = static_cast<double>(b.start), after = static_cast<double>(b.end);
      const std::vector<Share> shares = shares_of(b);
      for (const Share& s : shares) {
        if (s.kind != BlockKind::FsdpGather) after -= s.ns;
      }
      after = std::max(after, static_cast<double>(b.start));
      for (const Share& s : shares) {
        double& at = s.kind == BlockKind::FsdpGather ? before : after;
        const auto start = std::llround(at), end = std::min(std::llround(at + s.ns), static_cast<long long>(b.end));
        if (end > start) lane.collectives.push_back({start, end, s.kind, b.stage, b.microbatch, -1});
        at += s.ns;
      }
    }
    std::stable_sort(lane.collectives.begin(), lane.collectives.end(),
                     [](const LaneBlock& a, const LaneBlock& b) { return a.start < b.start; });
  }
}

std::vector<Lane> make_measured_lanes(const MeasuredRun& run, const SchedulePlan& plan) {
  if (run.pipelines <= 1) return make_lanes(plan);
  std::vector<Lane> lanes;
  const auto pp = static_cast<std::size_t>(run.program.ranks);
  for (int k = 0; k < run.pipelines; ++k) {
    SchedulePlan one;
    one.program = plan.program;
    one.costs = plan.costs;
    one.timing = k == 0 ? plan.timing : measured_timing(run, plan.costs, k);
    for (Lane& lane : make_lanes(one)) {
      const MeasuredRank& r = run.ranks[static_cast<std::size_t>(k) * pp + static_cast<std::size_t>(lane.rank)];
      lane.label = fmt::format("replica {}, rank {}", r.replica, r.rank);
      lanes.push_back(std::move(lane));
    }
  }
  return lanes;
}

void visible_blocks(const std::vector<LaneBlock>& blocks, double t0, double t1, double frames_per_pixel,
                    std::vector<DrawnBlock>& out) {
  out.clear();
  // Ends are sorted as starts are: the first visible block is found by bisection.
  auto first = std::lower_bound(blocks.begin(), blocks.end(), t0, [](const LaneBlock& b, double t) {
    return static_cast<double>(b.end) <= t;
  });
  for (auto it = first; it != blocks.end() && static_cast<double>(it->start) < t1; ++it) {
    const double start = static_cast<double>(it->start), end = static_cast<double>(it->end);
    if (end <= t0) continue;
    const bool thin = end - start < frames_per_pixel;
    if (thin && !out.empty()) {
      DrawnBlock& last = out.back();
      const bool last_thin = last.end - last.start < frames_per_pixel || last.merged;
      if (last_thin && start - last.end < frames_per_pixel) {
        last.end = std::max(last.end, end);
        last.merged = true;
        continue;
      }
    }
    out.push_back({start, end, it->kind, static_cast<std::int32_t>(it - blocks.begin()), false});
  }
}

std::vector<ObjectIndex> objects_of_block(const Layout& l, const LaneBlock& b) {
  const Params& p = l.params();
  const int per_stage = static_cast<int>(p.layers_per_stage());
  std::vector<ObjectIndex> objects;
  for (int r = 0; r < p.dp; ++r) {
    objects.push_back(l.stage_input(r, b.stage, b.microbatch));
    for (int layer = b.stage * per_stage; layer < (b.stage + 1) * per_stage; ++layer) {
      for (ObjectIndex o : {l.flop1(r, layer, b.microbatch), l.flop2(r, layer, b.microbatch), l.hidden(r, layer, b.microbatch),
                            l.residual(r, layer, b.microbatch)}) {
        objects.push_back(o);
      }
      if (b.kind == BlockKind::BackwardWeight || b.kind == BlockKind::Backward) {
        objects.push_back(l.weight1(r, layer));
        objects.push_back(l.weight2(r, layer));
      }
    }
  }
  return objects;
}

std::int32_t block_at(const std::vector<LaneBlock>& blocks, double t) {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), t,
                             [](double f, const LaneBlock& b) { return f < static_cast<double>(b.start); });
  if (it == blocks.begin()) return -1;
  --it;
  return t < static_cast<double>(it->end) ? static_cast<std::int32_t>(it - blocks.begin()) : -1;
}

void LaneView::fit(double total) {
  start = 0;
  span = std::max(total, 1.0);
}

void LaneView::zoom_at(double frame, double factor, double total) {
  const double margin = std::max(total, 1.0) * 0.05;
  const double new_span = std::clamp(span * factor, 8.0, std::max(total, 1.0) + 2 * margin);
  // The frame under the cursor stays at the same place on screen.
  const double u = (frame - start) / span;
  span = new_span;
  start = frame - u * span;
  pan(0, total);
}

void LaneView::pan(double frames, double total) {
  const double margin = std::max(total, 1.0) * 0.05;
  start = std::clamp(start + frames, -margin, std::max(-margin, total + margin - span));
}

RunningAt running_at(const std::vector<Lane>& lanes, double t) {
  RunningAt r;
  for (const Lane& lane : lanes) {
    const std::int32_t i = block_at(lane.compute, t);
    if (i < 0) {
      ++r.idle;
      continue;
    }
    switch (lane.compute[static_cast<std::size_t>(i)].kind) {
      case BlockKind::Forward: ++r.forward; break;
      case BlockKind::BackwardInput: ++r.backward_input; break;
      case BlockKind::BackwardWeight: ++r.backward_weight; break;
      case BlockKind::Backward: ++r.backward; break;
      default: break;
    }
  }
  return r;
}

}  // namespace pipescope
