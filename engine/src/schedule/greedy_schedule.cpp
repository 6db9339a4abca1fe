#include "greedy_schedule.hpp"

#include <algorithm>
#include <deque>

#include "pipescope/schedule/semantics.hpp"

namespace pipescope::detail {

namespace {

constexpr std::int64_t kUnknown = -1;

}  // namespace

std::optional<GreedyOrder> greedy(const AutoProblem& pb, const GreedyRule& rule,
                                  std::chrono::steady_clock::time_point deadline) {
  const int P = pb.ranks, M = pb.microbatches, V = pb.chunks, S = P * V;
  Program prog;
  prog.ranks = P;
  prog.stages = S;
  prog.microbatches = M;
  prog.placement = V == 2 ? Placement::V : Placement::Loop;
  prog.per_rank.assign(static_cast<std::size_t>(P), {});
  const Costs& c = pb.costs;
  auto idx = [M](int s, int m) { return static_cast<std::size_t>(s) * static_cast<std::size_t>(M) + static_cast<std::size_t>(m); };
  std::vector<std::int64_t> f_end(static_cast<std::size_t>(S) * M, kUnknown), i_end(f_end);
  std::vector<int> next_f(static_cast<std::size_t>(S), 0), next_i(next_f);
  std::vector<std::deque<int>> pending_w(static_cast<std::size_t>(S));
  std::vector<std::vector<int>> local(static_cast<std::size_t>(P));
  for (int s = 0; s < S; ++s) local[static_cast<std::size_t>(prog.rank_of(s))].push_back(s);
  std::vector<std::int64_t> free_at(static_cast<std::size_t>(P), 0);
  std::vector<double> mem(static_cast<std::size_t>(P), 0);
  std::vector<int> held(static_cast<std::size_t>(P), 0), left(static_cast<std::size_t>(P), 3 * V * M);
  const double eps = 1e-9;

  auto send = [&](int from, int to) { return prog.rank_of(from) == prog.rank_of(to) ? 0 : c.send; };
  // When a pass's input is here (semantics.hpp), or kUnknown.
  auto ready = [&](Op op, int s, int m) -> std::int64_t {
    const Step st{op, s, m};
    const std::optional<Step> from = input_of(st, S);
    if (!from) return 0;
    const std::int64_t e = (from->op == Op::F ? f_end : i_end)[idx(from->stage, from->microbatch)];
    if (e == kUnknown) return kUnknown;
    return e + (input_from_another_stage(st, *from) ? send(from->stage, s) : 0);
  };
  auto f_ready = [&](int s, int m) { return ready(Op::F, s, m); };
  auto i_ready = [&](int s, int m) { return ready(Op::I, s, m); };
  // What a pass of stage s stores (+) or frees (-) on its rank.
  auto memory = [&](Op op, std::size_t s) {
    return memory_delta(op, pb.activation_bytes[s], pb.kept_for_w_bytes[s]).bytes;
  };

  int remaining = 3 * S * M;
  // A rank with nothing to run and nothing it knows to wait for parks until
  // an input of its is made (its producer commits): see the wake below.
  constexpr std::int64_t kParked = INT64_MAX;
  std::vector<std::int64_t> busy_until(static_cast<std::size_t>(P), 0);  // end of its last action
  const bool bounded = deadline != std::chrono::steady_clock::time_point::max();
  for (std::uint32_t decisions = 1; remaining > 0; ++decisions) {
    if (bounded && decisions % 4096 == 0 && std::chrono::steady_clock::now() > deadline) return std::nullopt;
    // The rank that is free first decides (ties: the lowest rank).
    int r = -1;
    for (int q = 0; q < P; ++q) {
      const auto Q = static_cast<std::size_t>(q);
      if (left[Q] > 0 && free_at[Q] != kParked && (r < 0 || free_at[Q] < free_at[static_cast<std::size_t>(r)])) r = q;
    }
    if (r < 0) return std::nullopt;  // every rank waits on another: memory or the hold limits deadlock
    const auto R = static_cast<std::size_t>(r);
    const std::int64_t t = free_at[R];
    std::int64_t next_event = INT64_MAX;
    int f_stage = -1, i_stage = -1, w_stage = -1;
    bool f_blocked_by_memory = false;
    std::int64_t best_i_arrival = INT64_MAX;
    for (int s : local[R]) {
      const auto Su = static_cast<std::size_t>(s);
      if (next_f[Su] < M) {
        const std::int64_t a = f_ready(s, next_f[Su]);
        if (a != kUnknown && a > t) next_event = std::min(next_event, a);
        if (a != kUnknown && a <= t) {
          // Room for it, and for this microbatch on the rank's other stages
          // that have not yet run it (in a V, the later stage's forward must
          // come before this microbatch can ever be freed).
          double need = memory(Op::F, Su);
          for (int o : local[R]) {
            if (o != s && next_f[static_cast<std::size_t>(o)] <= next_f[Su]) need += memory(Op::F, static_cast<std::size_t>(o));
          }
          const bool room = mem[R] + need <= pb.budget_bytes[R] * (1 + eps) + eps;
          const bool under_hold = rule.hold.empty() || held[R] < rule.hold[R];
          if (!room) f_blocked_by_memory = true;
          if (room && under_hold) {
            if (f_stage < 0 || (rule.later_stage_first ? s > f_stage : s < f_stage)) f_stage = s;
          }
        }
      }
      if (next_i[Su] < next_f[Su]) {
        const std::int64_t a = i_ready(s, next_i[Su]);
        if (a != kUnknown && a > t) next_event = std::min(next_event, a);
        if (a != kUnknown && a <= t && a < best_i_arrival) {
          best_i_arrival = a;
          i_stage = s;
        }
      }
      if (!pending_w[Su].empty() && w_stage < 0) w_stage = s;
    }
    // The choice: W eagerly, or when memory blocks a forward or nothing else
    // is ready (a bubble); else I and F in the rule's order.
    enum class Pick { None, F, I, W } pick = Pick::None;
    if (w_stage >= 0 && (rule.eager_w || (f_blocked_by_memory && i_stage < 0))) pick = Pick::W;
    else if (rule.prefer_i && i_stage >= 0) pick = Pick::I;
    else if (f_stage >= 0) pick = Pick::F;
    else if (i_stage >= 0) pick = Pick::I;
    else if (w_stage >= 0) pick = Pick::W;
    if (pick == Pick::None) {
      // Wait for the next input known to arrive here; an input that becomes
      // known later (its producer commits) wakes this rank at its arrival.
      // Only arrivals change what a waiting rank can run (its memory and
      // holds change by its own actions), so it never wakes for nothing: at
      // pp 128 waking at every action's end elsewhere was most of the work.
      free_at[R] = next_event == INT64_MAX ? kParked : next_event;
      continue;
    }
    Action a{};
    std::int64_t length = 0;
    if (pick == Pick::F) {
      const auto Su = static_cast<std::size_t>(f_stage);
      const int m = next_f[Su]++;
      a = Action::single(Op::F, f_stage, m);
      length = c.f_of(f_stage);
      f_end[idx(f_stage, m)] = t + length;
      mem[R] += memory(Op::F, Su);
      ++held[R];
    } else if (pick == Pick::I) {
      const auto Su = static_cast<std::size_t>(i_stage);
      const int m = next_i[Su]++;
      a = Action::single(Op::I, i_stage, m);
      length = c.i_of(i_stage);
      i_end[idx(i_stage, m)] = t + length;
      mem[R] += memory(Op::I, Su);
      pending_w[Su].push_back(m);
      --held[R];
    } else {
      const auto Su = static_cast<std::size_t>(w_stage);
      const int m = pending_w[Su].front();
      pending_w[Su].pop_front();
      a = Action::single(Op::W, w_stage, m);
      length = c.w_of(w_stage);
      mem[R] += memory(Op::W, Su);
    }
    prog.per_rank[R].push_back(a);
    free_at[R] = busy_until[R] = t + length;
    // What it makes arrives at a neighbour's rank: wake that rank then, if it waits longer.
    int consumer = -1;
    if (pick == Pick::F && f_stage + 1 < S) consumer = f_stage + 1;
    if (pick == Pick::I && i_stage > 0) consumer = i_stage - 1;
    if (consumer >= 0) {
      const int producer = pick == Pick::F ? f_stage : i_stage;
      const auto Q = static_cast<std::size_t>(prog.rank_of(consumer));
      const std::int64_t arrival = t + length + send(producer, consumer);
      if (Q != R && free_at[Q] > std::max(arrival, busy_until[Q])) free_at[Q] = std::max(arrival, busy_until[Q]);
    }
    --left[R];
    --remaining;
  }
  return GreedyOrder{std::move(prog), *std::max_element(free_at.begin(), free_at.end())};
}

}  // namespace pipescope::detail
