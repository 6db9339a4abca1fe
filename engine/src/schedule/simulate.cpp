#include "pipescope/schedule/simulate.hpp"

#include "pipescope/schedule/auto_schedule.hpp"

#include <algorithm>
#include <deque>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "pipescope/model/cost_model.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/semantics.hpp"
#include "pipescope/schedule/zoo.hpp"
#include "notebook_plan.hpp"

namespace pipescope {

std::int64_t Costs::length(const Step& st) const {
  switch (st.op) {
    case Op::F: return f_of(st.stage);
    case Op::I: return i_of(st.stage);
    case Op::W: return w_of(st.stage);
    case Op::B: return i_of(st.stage) + w_of(st.stage);
    case Op::Overlap: break;
  }
  return 0;
}

std::int64_t Costs::length(const Action& a) const {
  if (a.op == Op::Overlap) return length(a.first) + length(a.second);
  return length(a.first);
}

Costs frame_costs(const Params& p) {
  Costs c;
  const std::int64_t layers = p.layers_per_stage();
  c.f = (2 * layers + 1) * p.cost_f;
  c.i = (2 * layers + 1) * p.cost_i;
  c.w = 2 * layers * p.cost_w;
  c.send = p.pp_comm_steps == 0 ? 0 : 2 * p.pp_comm_steps + 2;
  c.exchange_flash = p.dp_comm_steps == 0 ? 0 : 2 * p.dp_comm_steps + 2;
  c.layers_per_stage = static_cast<int>(layers);
  c.exchanges = p.dp > 1;
  return c;
}

namespace {

// Rounded to whole ns, never 0 (a pass takes time). validate() bounds every
// cost (kMaxPassNanoseconds), so this cannot overflow for valid parameters.
std::int64_t nanoseconds(double ns) {
  if (!(ns <= kMaxPassNanoseconds)) throw std::overflow_error(fmt::format("a cost of {:.3g} ns is past its bound", ns));
  return std::max<std::int64_t>(1, std::llround(ns));
}

Costs real_costs(const Params& p) {
  const RealCostNanoseconds ns = real_cost_nanoseconds(p);
  Costs c;
  c.unit = TimeUnit::Nanoseconds;
  c.layers_per_stage = static_cast<int>(p.layers_per_stage());
  c.exchanges = p.dp > 1;
  for (const auto& st : ns.per_stage) c.per_stage.push_back({nanoseconds(st.f), nanoseconds(st.i), nanoseconds(st.w)});
  c.f = c.per_stage.front().f;
  c.i = c.per_stage.front().i;
  c.w = c.per_stage.front().w;
  if (ns.send > 0) c.send = nanoseconds(ns.send);
  if (ns.exchange_flash > 0) c.exchange_flash = nanoseconds(ns.exchange_flash);
  if (ns.step_tail > 0) c.step_tail = nanoseconds(ns.step_tail);
  return c;
}

}  // namespace

Costs costs_for(const Params& p) { return p.real_time() ? real_costs(p) : frame_costs(p); }

namespace {

constexpr std::int64_t kNotYet = -1;

class Simulator {
 public:
  Simulator(const Program& program, const Costs& costs)
      : prog_(program), c_(costs), S_(program.stages), M_(program.microbatches),
        f_end_(static_cast<std::size_t>(S_) * M_, kNotYet), i_end_(f_end_), w_end_(f_end_) {}

  Timing run() {
    Timing t;
    const int P = prog_.ranks;
    t.per_rank.resize(static_cast<std::size_t>(P));
    std::vector<std::size_t> next(static_cast<std::size_t>(P), 0);
    std::vector<std::int64_t> free(static_cast<std::size_t>(P), 0);
    // A worklist of ranks that may run on: each runs as far as its inputs
    // allow, and a finished pass wakes the ranks that can consume it (its
    // stage's neighbours), so the work is linear in the actions whatever the
    // number of ranks (sweeping every rank until none moves was quadratic).
    queued_.assign(static_cast<std::size_t>(P), 1);
    work_.clear();
    for (int r = 0; r < P; ++r) work_.push_back(r);
    while (!work_.empty()) {
      const int r = work_.front();
      work_.pop_front();
      queued_[static_cast<std::size_t>(r)] = 0;
      const auto& program = prog_.per_rank[r];
      while (next[r] < program.size()) {
        const Action& a = program[next[r]];
        Step blocker{};
        const auto ready = ready_time(a, blocker);
        if (!ready) break;
        TimedAction timed{a, std::max(free[r], ready->first), c_.length(a), 0, {}};
        if (ready->first > free[r]) {
          timed.waited = ready->first - free[r];
          timed.waited_for = ready->second;
        }
        record(timed, t);
        free[r] = timed.end();
        t.per_rank[r].push_back(timed);
        ++next[r];
      }
    }
    for (int r = 0; r < P; ++r) {
      if (next[r] < prog_.per_rank[r].size()) throw Deadlock(describe_deadlock(next));
    }
    if (c_.exchanges) schedule_exchanges(t);
    // In the order they start, ties by the sending rank then stage: the same
    // order whichever rank the worklist ran first.
    std::stable_sort(t.sends.begin(), t.sends.end(), [this](const TimedSend& a, const TimedSend& b) {
      if (a.start != b.start) return a.start < b.start;
      const int ra = prog_.rank_of(a.from_stage), rb = prog_.rank_of(b.from_stage);
      if (ra != rb) return ra < rb;
      return a.from_stage < b.from_stage;
    });
    t.makespan = 0;
    for (const auto& rank : t.per_rank) {
      for (const auto& a : rank) t.makespan = std::max(t.makespan, a.end());
    }
    for (const auto& s : t.sends) t.makespan = std::max(t.makespan, s.start + s.length);
    for (const auto& e : t.exchanges) t.makespan = std::max(t.makespan, e.end());
    t.makespan += c_.step_tail;  // the optimizer step, after everything
    return t;
  }

 private:
  std::size_t at(int s, int m) const { return static_cast<std::size_t>(s) * M_ + m; }
  std::int64_t send_between(int a, int b) const { return prog_.rank_of(a) == prog_.rank_of(b) ? 0 : c_.send; }

  // When a step's input is there (with the step that provides it), or nothing
  // if that step has not run; `missing` then names it.
  std::optional<std::pair<std::int64_t, Step>> input_ready(const Step& st, Step& missing) const {
    const int s = st.stage, m = st.microbatch;
    if (s < 0 || s >= S_ || m < 0 || m >= M_) {
      missing = st;
      return std::nullopt;
    }
    const std::optional<Step> from = input_of(st, S_);
    if (!from) return std::make_pair(std::int64_t{0}, st);  // stage 0's forward: the data is there
    // i_end_ holds I's end, or a fused B's: either carries the gradient.
    const std::int64_t done = (from->op == Op::F ? f_end_ : i_end_)[at(from->stage, from->microbatch)];
    if (done == kNotYet) {
      missing = *from;
      return std::nullopt;
    }
    const std::int64_t send = input_from_another_stage(st, *from) ? send_between(from->stage, s) : 0;
    return std::make_pair(done + send, *from);
  }

  std::optional<std::pair<std::int64_t, Step>> ready_time(const Action& a, Step& missing) const {
    auto first = input_ready(a.first, missing);
    if (!first || a.op != Op::Overlap) return first;
    auto second = input_ready(a.second, missing);
    if (!second) return second;
    return first->first >= second->first ? first : second;
  }

  void wake(int stage) {
    if (stage < 0 || stage >= S_) return;
    const int r = prog_.rank_of(stage);
    if (!queued_[static_cast<std::size_t>(r)]) {
      queued_[static_cast<std::size_t>(r)] = 1;
      work_.push_back(r);
    }
  }

  void finish(const Step& st, std::int64_t end, Timing& t) {
    const std::size_t k = at(st.stage, st.microbatch);
    const int s = st.stage, m = st.microbatch;
    // Who can use it: the next stage's forward, the previous stage's
    // backward, this stage's own backward or weight gradient.
    wake(s - 1);
    wake(s);
    wake(s + 1);
    if (st.op == Op::F) {
      f_end_[k] = end;
      if (s + 1 < S_ && prog_.rank_of(s + 1) != prog_.rank_of(s)) t.sends.push_back({s, s + 1, m, false, end, c_.send});
      return;
    }
    if (st.op == Op::I || st.op == Op::B) {
      i_end_[k] = end;
      if (s > 0 && prog_.rank_of(s - 1) != prog_.rank_of(s)) t.sends.push_back({s, s - 1, m, true, end, c_.send});
    }
    if (st.op == Op::W || st.op == Op::B) w_end_[k] = end;
  }

  void record(const TimedAction& timed, Timing& t) {
    const Action& a = timed.action;
    if (a.op != Op::Overlap) {
      finish(a.first, timed.end(), t);
      return;
    }
    // The pair runs its forward, then its backward: their compute does not
    // overlap, their communication does.
    finish(a.first, timed.start + c_.f_of(a.first.stage), t);
    finish(a.second, timed.end(), t);
  }

  void schedule_exchanges(Timing& t) const {
    struct Ready {
      int stage;
      std::int64_t at;
    };
    std::vector<Ready> ready;
    for (int s = 0; s < S_; ++s) {
      std::int64_t last = 0;
      for (int m = 0; m < M_; ++m) last = std::max(last, w_end_[at(s, m)]);
      ready.push_back({s, last});
    }
    // A rank's link sends one layer at a time, the stages in the order their
    // gradients complete (the later stage first on a tie, as backward runs).
    std::stable_sort(ready.begin(), ready.end(), [](const Ready& a, const Ready& b) {
      return a.at != b.at ? a.at < b.at : a.stage > b.stage;
    });
    std::vector<std::int64_t> link_free(static_cast<std::size_t>(prog_.ranks), 0);
    for (const Ready& r : ready) {
      const int rank = prog_.rank_of(r.stage);
      for (int l = (r.stage + 1) * c_.layers_per_stage - 1; l >= r.stage * c_.layers_per_stage; --l) {
        const std::int64_t start = std::max(link_free[rank], r.at);
        t.exchanges.push_back({r.stage, l, rank, start, c_.exchange_flash});
        link_free[rank] = t.exchanges.back().end();
      }
    }
  }

  // Follows "rank r waits for a step that rank q has not run" until a rank
  // repeats: that is the cycle.
  std::string describe_deadlock(const std::vector<std::size_t>& next) const {
    const int P = prog_.ranks;
    auto waiting_at = [&](int r) -> const Action& { return prog_.per_rank[r][next[r]]; };
    auto blocker_of = [&](int r) {
      Step missing{};
      ready_time(waiting_at(r), missing);
      return missing;
    };
    int start = 0;
    while (next[start] >= prog_.per_rank[start].size()) ++start;
    std::vector<int> seen_at(static_cast<std::size_t>(P), -1);
    std::vector<int> path;
    for (int r = start;;) {
      if (seen_at[r] >= 0) {
        path.erase(path.begin(), path.begin() + seen_at[r]);
        break;
      }
      seen_at[r] = static_cast<int>(path.size());
      path.push_back(r);
      const Step missing = blocker_of(r);
      if (missing.stage < 0 || missing.stage >= S_ || missing.microbatch < 0 || missing.microbatch >= M_) {
        return fmt::format("the schedule can never finish: rank {} waits at {} for {}, a stage or microbatch "
                           "outside this scene ({} stages, {} microbatches)",
                           r, to_string(waiting_at(r)), to_string(Action::single(missing.op, missing.stage, missing.microbatch)),
                           S_, M_);
      }
      const int q = prog_.rank_of(missing.stage);
      const std::string missing_name = to_string(Action::single(missing.op, missing.stage, missing.microbatch));
      if (next[q] >= prog_.per_rank[q].size()) {
        return fmt::format("the schedule can never finish: rank {} waits at {} for {}, which rank {} never runs",
                           r, to_string(waiting_at(r)), missing_name, q);
      }
      r = q;
    }
    // A long cycle (thousands of ranks) is told by its first and last few
    // links and the count between, in one line of readable length.
    std::string cycle;
    constexpr std::size_t kShown = 3;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path.size() > 3 * kShown && i == kShown) {
        cycle += fmt::format(", ... ({} more ranks) ...", path.size() - 2 * kShown);
        i = path.size() - kShown;
      }
      const int r = path[i];
      const Step missing = blocker_of(r);
      cycle += fmt::format("{}rank {} waits at {} for {} (rank {})", i == 0 ? "" : ", ", r,
                           to_string(waiting_at(r)), to_string(Action::single(missing.op, missing.stage, missing.microbatch)),
                           prog_.rank_of(missing.stage));
    }
    return fmt::format("the schedule can never finish, its ranks wait on each other in a cycle: {}", cycle);
  }

  const Program& prog_;
  const Costs& c_;
  int S_, M_;
  std::vector<std::int64_t> f_end_, i_end_, w_end_;
  std::deque<int> work_;
  std::vector<char> queued_;
};

}  // namespace

Timing simulate(const Program& program, const Costs& costs) { return Simulator(program, costs).run(); }

}  // namespace pipescope

namespace pipescope {

namespace {

// 1, 2 or 5 times a power of ten, at or above v: a frame of 2 us, not 1.83.
std::int64_t round_step(double v) {
  double step = 1;
  while (step * 10 <= v) step *= 10;
  for (double k : {1.0, 2.0, 5.0, 10.0}) {
    if (step * k >= v) return static_cast<std::int64_t>(step * k);
  }
  return static_cast<std::int64_t>(step * 10);
}

}  // namespace

std::int64_t frame_length_for(const Params& p, std::int64_t makespan) {
  if (!p.real_time()) return 1;
  if (p.frame_us > 0) return std::max<std::int64_t>(1, std::llround(p.frame_us * 1000));
  return round_step(std::max(1.0, static_cast<double>(makespan) / kAutoFrames));
}

SchedulePlan make_plan(const Params& p) {
  if (p.is_notebook() && !p.real_time()) return detail::notebook_plan(p);
  SchedulePlan plan;
  plan.costs = costs_for(p);
  if (p.schedule_file) {
    plan.program = p.schedule_file->program;
  } else if (p.schedule == ScheduleKind::Auto) {
    // The search's budget: more orders tried where each is cheap to time
    // (a few tens of milliseconds in all, at any size).
    const AutoProblem problem = auto_problem(p);
    const int passes = 3 * problem.ranks * problem.chunks * problem.microbatches;
    const int budget = std::clamp(60'000 / std::max(passes, 1), 64, 2048);
    const auto bound = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(p.auto_seconds));
    auto found = std::make_shared<AutoResult>(
        auto_schedule(problem, {.search_evaluations = budget, .deadline = std::chrono::steady_clock::now() + bound}));
    plan.program = found->best.program;
    plan.auto_result = std::move(found);
  } else {
    plan.program = build_program(p.schedule, static_cast<int>(p.pp), static_cast<int>(p.microbatches),
                                 static_cast<int>(p.stages_per_rank()));
  }
  plan.timing = simulate(plan.program, plan.costs);
  plan.frame_length = frame_length_for(p, plan.timing.makespan);
  return plan;
}

}  // namespace pipescope
