// The built-in schedules. The orders of the PyTorch ones follow
// torch.distributed.pipelining's own algorithms (read, re-derived, and checked
// against PyTorch's CSV output in tests/data/pytorch-schedules); the names of
// locals follow PyTorch's so the two can be compared.

#include "pipescope/schedule/zoo.hpp"

#include "pipescope/schedule/auto_schedule.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>

#include <fmt/format.h>

namespace pipescope {

namespace {

constexpr std::array<ScheduleInfo, 11> kCatalog{{
    {ScheduleKind::Notebook, "notebook", "", Placement::Loop, 1, 1, 1,
     "the seed notebook's: every forward, then every backward through activations, then the "
     "weight gradients, then the gradient exchange"},
    {ScheduleKind::GPipe, "gpipe", "GPipe", Placement::Loop, 1, 1, 1, "all forwards, then all backwards"},
    {ScheduleKind::OneFOneB, "1f1b", "1F1B", Placement::Loop, 1, 1, 1,
     "one forward, one backward after a warm-up (PipeDream-Flush, Megatron)"},
    {ScheduleKind::Interleaved1F1B, "interleaved-1f1b", "Interleaved1F1B", Placement::Loop, 2, 64, 2,
     "1F1B over --chunks stages per rank, depth first (Megatron's interleaved schedule)"},
    {ScheduleKind::LoopedBFS, "looped-bfs", "LoopedBFS", Placement::Loop, 2, 64, 2,
     "all microbatches through one local stage before the next, breadth first"},
    {ScheduleKind::ZBH1, "zb-h1", "", Placement::Loop, 1, 1, 1,
     "zero bubble H1: backward split into I and W, W delayed to fill bubbles, 1F1B's memory"},
    {ScheduleKind::ZBH2, "zb-h2", "", Placement::Loop, 1, 1, 1,
     "zero bubble H2: more warm-up forwards (up to 2p-1 in flight) and no idle inside a rank's span"},
    {ScheduleKind::InterleavedZB, "interleaved-zb", "InterleavedZeroBubble", Placement::Loop, 2, 64, 2,
     "interleaved 1F1B with I and W split, W filling bubbles (PyTorch's InterleavedZeroBubble)"},
    {ScheduleKind::ZBV, "zb-v", "ZBVZeroBubble", Placement::V, 2, 2, 2,
     "zero bubble V: two stages per rank in a V, 1F1B's memory"},
    {ScheduleKind::DualPipeV, "dualpipe-v", "DualPipeV", Placement::V, 2, 2, 2,
     "DeepSeek's DualPipeV: two stages per rank in a V, forwards and backwards overlapped"},
    {ScheduleKind::Auto, "auto", "", Placement::Loop, 1, 2, 1,
     "the fastest order found for these costs that fits in --gpu-memory-gib (zoo, greedy rules, search); "
     "--chunks 2 places the stages in a V"},
}};

using Ops = std::vector<Action>;

// Hands out each stage's next microbatch, as PyTorch's per-stage counters do.
struct Counters {
  std::map<int, int> next;
  int take(int stage) { return next[stage]++; }
};

// PyTorch: rank r holds stage r; min(m, p - r) forwards, then B/F pairs, then the rest.
Ops one_f_one_b(int p, int m, int r) {
  Ops ops;
  const int warmup = std::min(m, p - r);
  int f = 0, b = 0;
  for (; f < warmup; ++f) ops.push_back(Action::single(Op::F, r, f));
  while (b < m) {
    ops.push_back(Action::single(Op::B, r, b++));
    if (f < m) ops.push_back(Action::single(Op::F, r, f++));
  }
  return ops;
}

Ops gpipe(int m, int r) {
  Ops ops;
  for (int k = 0; k < m; ++k) ops.push_back(Action::single(Op::F, r, k));
  for (int k = 0; k < m; ++k) ops.push_back(Action::single(Op::B, r, k));
  return ops;
}

// The notebook's program: all forwards, then every backward through
// activations, then each microbatch's weight gradients.
Ops notebook(int m, int r) {
  Ops ops;
  for (Op op : {Op::F, Op::I, Op::W}) {
    for (int k = 0; k < m; ++k) ops.push_back(Action::single(op, r, k));
  }
  return ops;
}

Ops looped_bfs(int p, int m, int v, int r) {
  Ops ops;
  for (int c = 0; c < v; ++c) {
    for (int k = 0; k < m; ++k) ops.push_back(Action::single(Op::F, c * p + r, k));
  }
  for (int c = v - 1; c >= 0; --c) {
    for (int k = m - 1; k >= 0; --k) ops.push_back(Action::single(Op::B, c * p + r, k));
  }
  return ops;
}

// PyTorch's _get_1f1b_rank_ops: interleaved 1F1B, and with `zero_bubble`
// its InterleavedZeroBubble (ZB1P; with v = 1 that is ZB-H1).
Ops interleaved(int p, int m, int v, int r, bool zero_bubble) {
  const int rounds = std::max(1, m / p);
  const int per_round = m / rounds;
  const int factor = zero_bubble ? 1 : 2;
  const int warmup = std::min((v - 1) * per_round + factor * (p - 1 - r), m * v);
  const int fwd_bwd = m * v - warmup;
  const int total = warmup + fwd_bwd + warmup;
  auto forward_stage = [&](int step) { return ((step / per_round) % v) * p + r; };
  auto backward_stage = [&](int step) { return (v - 1 - ((step - warmup) / per_round) % v) * p + r; };
  const Op backward = zero_bubble ? Op::I : Op::B;
  const int first_weight_after = r;  // PyTorch's num_1f1b_microbatches = rank

  Counters fwd, bwd, wgt;
  std::vector<int> backward_steps;
  std::size_t weights_done = 0;
  Ops ops;
  auto add_weight = [&] {
    const int s = backward_stage(backward_steps[weights_done++]);
    ops.push_back(Action::single(Op::W, s, wgt.take(s)));
  };
  for (int step = 0; step < total; ++step) {
    if (step < warmup + fwd_bwd) {
      const int s = forward_stage(step);
      ops.push_back(Action::single(Op::F, s, fwd.take(s)));
    }
    if (step >= warmup) {
      const int s = backward_stage(step);
      ops.push_back(Action::single(backward, s, bwd.take(s)));
      backward_steps.push_back(step);
      if (zero_bubble && step - warmup >= first_weight_after) add_weight();
    }
  }
  while (zero_bubble && weights_done < backward_steps.size()) add_weight();
  return ops;
}

// PyTorch's ScheduleZBVZeroBubble.
Ops zb_v(int p, int m, int r) {
  const int n_micro = std::max(2 * p - 1, m);
  const int s0 = r, s1 = 2 * p - 1 - r;
  int f0 = 0, f1 = 0, b0 = 0, b1 = 0;
  Ops ops;
  auto add = [&](Op op, int s, int k) { ops.push_back(Action::single(op, s, k)); };
  for (int i = 0; i < 2 * (p - r) - 1; ++i) add(Op::F, s0, f0++);
  for (int i = 0; i < r; ++i) {
    add(Op::F, s1, f1++);
    add(Op::F, s0, f0++);
  }
  for (int i = 0; i < p - r; ++i) {
    add(Op::F, s1, f1++);
    add(Op::I, s1, b1);
    add(Op::W, s1, b1++);
  }
  while (f1 < f0 || f0 < n_micro) {
    if (f0 < n_micro) add(Op::F, s0, f0++);
    add(Op::I, s0, b0);
    add(Op::W, s0, b0++);
    add(Op::F, s1, f1++);
    add(Op::I, s1, b1);
    add(Op::W, s1, b1++);
  }
  int w0 = b0, w1 = b1;
  for (int i = 0; i < r; ++i) {
    add(Op::I, s0, b0++);
    add(Op::I, s1, b1++);
  }
  for (int i = 0; i < p - r; ++i) {
    add(Op::I, s0, b0++);
    add(Op::W, s0, w0++);
  }
  while (w1 < b1) add(Op::W, s1, w1++);
  while (w0 < b0) add(Op::W, s0, w0++);
  // Microbatches past m were only placeholders for a full pipeline.
  std::erase_if(ops, [&](const Action& a) { return a.first.microbatch >= m; });
  return ops;
}

// PyTorch's ScheduleDualPipeV (after DeepSeek's DualPipe).
Ops dualpipe_v(int p, int m, int r) {
  const int s0 = r, s1 = 2 * p - 1 - r;
  Counters f, i, w;  // F, I (and B) and W counters per stage
  std::deque<std::pair<int, int>> pending_weights;
  Ops ops;
  auto add = [&](Op op, int s) {
    if (op == Op::F) {
      ops.push_back(Action::single(op, s, f.take(s)));
    } else if (op == Op::B) {
      ops.push_back(Action::single(op, s, i.take(s)));
      w.take(s);
    } else {  // I: its W waits in the queue
      const int k = i.take(s);
      ops.push_back(Action::single(op, s, k));
      pending_weights.emplace_back(s, k);
    }
  };
  auto add_overlap = [&](int f_stage, int b_stage) {
    const int fk = f.take(f_stage), bk = i.take(b_stage);
    w.take(b_stage);
    ops.push_back(Action::overlap(f_stage, fk, b_stage, bk));
  };
  auto add_pending_weight = [&] {
    if (pending_weights.empty()) return;
    const auto [s, k] = pending_weights.front();
    pending_weights.pop_front();
    ops.push_back(Action::single(Op::W, s, k));
    w.take(s);
  };
  for (int n = 0; n < (p - r - 1) * 2; ++n) add(Op::F, s0);
  for (int n = 0; n < r + 1; ++n) {
    add(Op::F, s0);
    add(Op::F, s1);
  }
  for (int n = 0; n < p - r - 1; ++n) {
    add(Op::I, s1);
    add_pending_weight();
    add(Op::F, s1);
  }
  for (int n = 0; n < m - 2 * p + r + 1; ++n) {
    if (n == 0 && r == p - 1) {  // PyTorch does not overlap these two, to shrink the bubble
      add(Op::F, s0);
      add(Op::B, s1);
    } else {
      add_overlap(s0, s1);
    }
    add_overlap(s1, s0);
  }
  for (int n = 0; n < p - r - 1; ++n) {
    add(Op::B, s1);
    add_overlap(s1, s0);
  }
  bool zero_bubble = false;
  const int step_6 = r + 1;
  for (int n = 0; n < step_6; ++n) {
    if (n == step_6 / 2 && r % 2 == 1) zero_bubble = true;
    add(zero_bubble ? Op::I : Op::B, s1);
    if (n == step_6 / 2 && r % 2 == 0) zero_bubble = true;
    add(zero_bubble ? Op::I : Op::B, s0);
  }
  for (int n = 0; n < p - r - 1; ++n) {
    add_pending_weight();
    add(zero_bubble ? Op::I : Op::B, s0);
  }
  for (int n = 0; n < r + 1; ++n) add_pending_weight();
  return ops;
}

// ZB-H2 (the zero-bubble paper's handcrafted schedule with up to 2p-1
// microbatches in flight), built as the paper describes it: with unit costs
// and instant sends, every rank takes, at each slot, an I that is ready, else
// a forward that is ready while fewer than 2p-1 are in flight, else a
// pending W. This gives extra warm-up forwards, then the steady I-W-F rhythm,
// and a tail that fills gaps with W (the parallelogram): no idle inside a
// rank's span once m >= 2p-1.
std::vector<Ops> zb_h2(int p, int m) {
  std::vector<Ops> ops(static_cast<std::size_t>(p));
  constexpr long kNever = -1;
  std::vector<long> f_done(static_cast<std::size_t>(p * m), kNever), i_done(f_done);
  std::vector<int> nf(static_cast<std::size_t>(p)), ni(nf), nw(nf);
  auto done_by = [&](const std::vector<long>& v, int r, int k, long t) {
    const long d = v[static_cast<std::size_t>(r * m + k)];
    return d != kNever && d <= t;
  };
  const int in_flight_limit = 2 * p - 1;
  for (long t = 0;; ++t) {
    bool unfinished = false;
    std::vector<std::pair<int, Op>> taken;
    for (int r = 0; r < p; ++r) {
      auto& F = nf[r];
      auto& I = ni[r];
      auto& W = nw[r];
      unfinished |= W < m;
      const bool i_ready = I < F && (r == p - 1 ? done_by(f_done, r, I, t) : done_by(i_done, r + 1, I, t));
      const bool f_ready = F < m && (r == 0 || done_by(f_done, r - 1, F, t)) && F - W < in_flight_limit;
      if (i_ready) {
        ops[r].push_back(Action::single(Op::I, r, I));
        taken.emplace_back(r, Op::I);
      } else if (f_ready) {
        ops[r].push_back(Action::single(Op::F, r, F));
        taken.emplace_back(r, Op::F);
      } else if (W < I) {
        ops[r].push_back(Action::single(Op::W, r, W++));
      }
    }
    if (!unfinished) break;
    for (auto [r, op] : taken) {  // finished at the end of this slot
      if (op == Op::F) f_done[static_cast<std::size_t>(r * m + nf[r]++)] = t + 1;
      if (op == Op::I) i_done[static_cast<std::size_t>(r * m + ni[r]++)] = t + 1;
    }
  }
  return ops;
}

}  // namespace

std::span<const ScheduleInfo> schedule_catalog() { return kCatalog; }

const ScheduleInfo& schedule_info(ScheduleKind kind) { return kCatalog[static_cast<std::size_t>(kind)]; }

std::optional<ScheduleKind> schedule_from_name(std::string_view name) {
  for (const auto& s : kCatalog) {
    if (s.name == name) return s.kind;
  }
  return std::nullopt;
}

std::string schedule_names() {
  std::string out;
  for (const auto& s : kCatalog) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

std::optional<ScheduleRule> schedule_rule_broken(ScheduleKind kind, std::int64_t p, std::int64_t m,
                                                 std::int64_t v) {
  const ScheduleInfo& info = schedule_info(kind);
  if (v < info.min_chunks || v > info.max_chunks) {
    if (info.min_chunks == info.max_chunks) {
      return ScheduleRule{"chunks", fmt::format("chunks is {}, but the {} schedule runs exactly {} stage{} per rank",
                                                v, info.name, info.min_chunks, info.min_chunks == 1 ? "" : "s")};
    }
    return ScheduleRule{"chunks", fmt::format("chunks is {}, but the {} schedule needs {} to {} stages per rank", v,
                                              info.name, info.min_chunks, info.max_chunks)};
  }
  if (kind == ScheduleKind::Interleaved1F1B || kind == ScheduleKind::InterleavedZB) {
    const std::int64_t rounds = std::max<std::int64_t>(1, m / p);
    if (m % rounds != 0) {
      return ScheduleRule{"microbatches",
                          fmt::format("microbatches is {}, but {} needs a multiple of its number of rounds, "
                                      "max(1, microbatches / pp) = {} (as PyTorch requires)",
                                      m, info.name, rounds)};
    }
  }
  if (kind == ScheduleKind::DualPipeV && m < 2 * p) {
    return ScheduleRule{"microbatches", fmt::format("microbatches is {}, but dualpipe-v needs at least as many "
                                                    "microbatches as stages, 2 x pp = {} (as PyTorch requires)",
                                                    m, 2 * p)};
  }
  return std::nullopt;
}

Placement schedule_placement(ScheduleKind kind, std::int64_t v) {
  if (kind == ScheduleKind::Auto) return v == 2 ? Placement::V : Placement::Loop;
  return schedule_info(kind).placement;
}

Program build_program(ScheduleKind kind, int p, int m, int v) {
  Program prog;
  prog.ranks = p;
  prog.stages = p * v;
  prog.microbatches = m;
  prog.placement = schedule_placement(kind, v);
  if (kind == ScheduleKind::Auto) {
    // Without costs or a cap: the greedy's default rule at unit costs
    // (make_plan searches with the parameters' own).
    AutoProblem unit;
    unit.ranks = p;
    unit.microbatches = m;
    unit.chunks = v;
    unit.activation_bytes.assign(static_cast<std::size_t>(p * v), 1);
    unit.kept_for_w_bytes.assign(static_cast<std::size_t>(p * v), 0.5);
    unit.budget_bytes.assign(static_cast<std::size_t>(p), std::numeric_limits<double>::infinity());
    return *greedy_program(unit);
  }
  if (kind == ScheduleKind::ZBH2) {
    prog.per_rank = zb_h2(p, m);
    return prog;
  }
  for (int r = 0; r < p; ++r) {
    switch (kind) {
      case ScheduleKind::Notebook: prog.per_rank.push_back(notebook(m, r)); break;
      case ScheduleKind::GPipe: prog.per_rank.push_back(gpipe(m, r)); break;
      case ScheduleKind::OneFOneB: prog.per_rank.push_back(one_f_one_b(p, m, r)); break;
      case ScheduleKind::Interleaved1F1B: prog.per_rank.push_back(interleaved(p, m, v, r, false)); break;
      case ScheduleKind::LoopedBFS: prog.per_rank.push_back(looped_bfs(p, m, v, r)); break;
      case ScheduleKind::ZBH1: prog.per_rank.push_back(interleaved(p, m, 1, r, true)); break;
      case ScheduleKind::InterleavedZB: prog.per_rank.push_back(interleaved(p, m, v, r, true)); break;
      case ScheduleKind::ZBV: prog.per_rank.push_back(zb_v(p, m, r)); break;
      case ScheduleKind::DualPipeV: prog.per_rank.push_back(dualpipe_v(p, m, r)); break;
      case ScheduleKind::ZBH2:
      case ScheduleKind::Auto: break;
    }
  }
  return prog;
}

}  // namespace pipescope
