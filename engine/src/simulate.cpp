#include "pipescope/simulate.hpp"

#include <algorithm>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "pipescope/params.hpp"
#include "pipescope/zoo.hpp"
#include "notebook_plan.hpp"

namespace pipescope {

std::int64_t Costs::length(Op op) const {
  switch (op) {
    case Op::F: return f;
    case Op::I: return i;
    case Op::W: return w;
    case Op::B: return i + w;
    case Op::Overlap: return f + i + w;
  }
  return 0;
}

Costs costs_for(const Params& p) {
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
    for (bool progress = true; progress;) {
      progress = false;
      for (int r = 0; r < P; ++r) {
        const auto& program = prog_.per_rank[r];
        while (next[r] < program.size()) {
          const Action& a = program[next[r]];
          Step blocker{};
          const auto ready = ready_time(a, blocker);
          if (!ready) break;
          TimedAction timed{a, std::max(free[r], ready->first), c_.length(a.op), 0, {}};
          if (ready->first > free[r]) {
            timed.waited = ready->first - free[r];
            timed.waited_for = ready->second;
          }
          record(timed, t);
          free[r] = timed.end();
          t.per_rank[r].push_back(timed);
          ++next[r];
          progress = true;
        }
      }
    }
    for (int r = 0; r < P; ++r) {
      if (next[r] < prog_.per_rank[r].size()) throw Deadlock(describe_deadlock(next));
    }
    if (c_.exchanges) schedule_exchanges(t);
    std::stable_sort(t.sends.begin(), t.sends.end(),
                     [](const TimedSend& a, const TimedSend& b) { return a.start < b.start; });
    t.makespan = 0;
    for (const auto& rank : t.per_rank) {
      for (const auto& a : rank) t.makespan = std::max(t.makespan, a.end());
    }
    for (const auto& s : t.sends) t.makespan = std::max(t.makespan, s.start + s.length);
    for (const auto& e : t.exchanges) t.makespan = std::max(t.makespan, e.end());
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
    Step from{};
    std::int64_t done = 0, send = 0;
    switch (st.op) {
      case Op::F:
        if (s == 0) return std::make_pair(std::int64_t{0}, st);
        from = {Op::F, s - 1, m};
        done = f_end_[at(s - 1, m)];
        send = send_between(s - 1, s);
        break;
      case Op::I:
      case Op::B:
        if (s == S_ - 1) {
          from = {Op::F, s, m};
          done = f_end_[at(s, m)];
        } else {
          from = {Op::I, s + 1, m};
          done = i_end_[at(s + 1, m)];
          send = send_between(s + 1, s);
        }
        break;
      case Op::W:
        from = {Op::I, s, m};
        done = i_end_[at(s, m)];
        break;
      case Op::Overlap: break;
    }
    if (done == kNotYet) {
      missing = from;
      return std::nullopt;
    }
    return std::make_pair(done + send, from);
  }

  std::optional<std::pair<std::int64_t, Step>> ready_time(const Action& a, Step& missing) const {
    auto first = input_ready(a.first, missing);
    if (!first || a.op != Op::Overlap) return first;
    auto second = input_ready(a.second, missing);
    if (!second) return second;
    return first->first >= second->first ? first : second;
  }

  void finish(const Step& st, std::int64_t end, Timing& t) {
    const std::size_t k = at(st.stage, st.microbatch);
    const int s = st.stage, m = st.microbatch;
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
    finish(a.first, timed.start + c_.f, t);
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
    std::string cycle;
    for (std::size_t i = 0; i < path.size(); ++i) {
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
};

}  // namespace

Timing simulate(const Program& program, const Costs& costs) { return Simulator(program, costs).run(); }

}  // namespace pipescope

namespace pipescope {

SchedulePlan make_plan(const Params& p) {
  if (p.is_notebook()) return detail::notebook_plan(p);
  SchedulePlan plan{p.schedule_file ? p.schedule_file->program
                                    : build_program(p.schedule, static_cast<int>(p.pp),
                                                    static_cast<int>(p.microbatches),
                                                    static_cast<int>(p.stages_per_rank())),
                    costs_for(p), {}};
  plan.timing = simulate(plan.program, plan.costs);
  return plan;
}

}  // namespace pipescope
