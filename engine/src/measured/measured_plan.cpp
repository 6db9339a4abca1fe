#include "pipescope/measured/measured_plan.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/semantics.hpp"

namespace pipescope {

namespace {

// Linear between the nearest ranks (as numpy's default), 0 for none.
double quantile_of(std::vector<std::int64_t> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(at);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return static_cast<double>(v[lo]) + (at - static_cast<double>(lo)) * static_cast<double>(v[hi] - v[lo]);
}

double median_of(std::vector<std::int64_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? static_cast<double>(v[n / 2]) : (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2;
}

// Where each pass ran: (stage, microbatch, letter) -> (rank, action index).
// Letters: F forward, b the backward that sends on (I or B), W weight.
using PassKey = std::tuple<int, int, char>;
struct Place {
  int rank;
  std::size_t index;
};
std::map<PassKey, Place> places(const MeasuredRun& run) {
  std::map<PassKey, Place> where;
  for (std::size_t r = 0; r < run.ranks.size(); ++r) {
    const auto& acts = run.ranks[r].actions;
    for (std::size_t i = 0; i < acts.size(); ++i) {
      auto note = [&](const Step& s) {
        const char letter = s.op == Op::F ? 'F' : s.op == Op::W ? 'W' : 'b';
        where[{s.stage, s.microbatch, letter}] = {static_cast<int>(r), i};
      };
      note(acts[i].action.first);
      if (acts[i].action.op == Op::Overlap) note(acts[i].action.second);
    }
  }
  return where;
}

// The passes a step needs first (same rank or not).
std::vector<PassKey> inputs_of(const Step& s, int stages) {
  const std::optional<Step> from = input_of(s, stages);  // semantics.hpp
  if (!from) return {};
  return {{from->stage, from->microbatch, from->op == Op::F ? 'F' : 'b'}};
}

}  // namespace

void apply_measured_run(Params& p, std::shared_ptr<const MeasuredRun> run, bool pp_given, bool microbatches_given,
                        bool layers_given) {
  const Program& prog = run->program;
  auto file = std::make_shared<ScheduleFile>();
  file->path = run->source;
  file->name = "measured " + run->schedule_label();
  file->program = prog;
  p.schedule_file = std::move(file);
  if (!pp_given) p.pp = prog.ranks;
  if (!microbatches_given) p.microbatches = prog.microbatches;
  p.chunks.reset();
  p.dp = 1;  // the traces are one pipeline's ranks
  if (!layers_given && p.L % prog.stages != 0) p.L += prog.stages - p.L % prog.stages;
  // Every stage's median of each kind, over its microbatches.
  const auto S = static_cast<std::size_t>(prog.stages);
  std::vector<std::vector<std::int64_t>> f(S), i(S), w(S), b(S);
  for (const MeasuredRank& r : run->ranks) {
    for (const MeasuredAction& a : r.actions) {
      if (a.action.op == Op::Overlap) continue;  // its halves are not timed apart
      const Step& s = a.action.first;
      auto& list = s.op == Op::F ? f : s.op == Op::I ? i : s.op == Op::W ? w : b;
      list[static_cast<std::size_t>(s.stage)].push_back(a.end - a.start);
    }
  }
  auto all = [](const std::vector<std::vector<std::int64_t>>& v) {
    std::vector<std::int64_t> out;
    for (const auto& x : v) out.insert(out.end(), x.begin(), x.end());
    return out;
  };
  const double f_all = median_of(all(f)), i_all = median_of(all(i)), w_all = median_of(all(w)), b_all = median_of(all(b));
  p.time_f.assign(S, 0);
  p.time_i.assign(S, 0);
  p.time_w.assign(S, 0);
  for (std::size_t s = 0; s < S; ++s) {
    const double fs = f[s].empty() ? f_all : median_of(f[s]);
    double is = i[s].empty() ? -1 : median_of(i[s]), ws = w[s].empty() ? -1 : median_of(w[s]);
    const double bs = b[s].empty() ? b_all : median_of(b[s]);
    if (is < 0) is = i_all > 0 ? i_all : bs / 2;
    if (ws < 0) ws = w_all > 0 ? w_all : bs / 2;
    // In microseconds, at least a nanosecond each (a cost must be positive).
    p.time_f[s] = std::max(fs, 1.0) / 1000;
    p.time_i[s] = std::max(is, 1.0) / 1000;
    p.time_w[s] = std::max(ws, 1.0) / 1000;
  }
  p.measured = std::move(run);
}

SchedulePlan measured_plan(const Params& p) {
  const MeasuredRun& run = *p.measured;
  SchedulePlan plan;
  plan.program = run.program;
  plan.costs = costs_for(p);
  const auto where = places(run);
  Timing& t = plan.timing;
  t.per_rank.resize(run.ranks.size());
  for (std::size_t r = 0; r < run.ranks.size(); ++r) {
    for (const MeasuredAction& a : run.ranks[r].actions) {
      t.per_rank[r].push_back({a.action, a.start, std::max<std::int64_t>(a.end - a.start, 1)});
    }
  }
  // A send per cross-rank input: the first send its producer's rank started
  // after the producer (before its next pass), else the ideal's send time.
  for (const auto& [key, place] : where) {
    const auto& [stage, mb, letter] = key;
    if (letter == 'W') continue;
    const int to_stage = letter == 'F' ? stage + 1 : stage - 1;
    if (to_stage < 0 || to_stage >= run.program.stages) continue;
    if (run.program.rank_of(to_stage) == place.rank) continue;
    const MeasuredRank& rank = run.ranks[static_cast<std::size_t>(place.rank)];
    const std::int64_t end = rank.actions[place.index].end;
    const std::int64_t next = place.index + 1 < rank.actions.size() ? rank.actions[place.index + 1].start : INT64_MAX;
    TimedSend send{stage, to_stage, mb, letter != 'F', end, std::max<std::int64_t>(plan.costs.send, 1)};
    for (const MeasuredComm& c : rank.comms) {
      if (c.send && c.start >= end && c.start < next) {
        send.start = c.start;
        send.length = std::max<std::int64_t>(c.end - c.start, 1);
        break;
      }
    }
    t.sends.push_back(send);
  }
  std::sort(t.sends.begin(), t.sends.end(), [&](const TimedSend& a, const TimedSend& b) {
    return std::tie(a.start, a.from_stage) < std::tie(b.start, b.from_stage);
  });
  t.makespan = run.makespan;
  for (const TimedSend& s : t.sends) t.makespan = std::max(t.makespan, s.start + s.length);
  plan.frame_length = frame_length_for(p, t.makespan);
  return plan;
}

MeasuredSplit split_difference(const MeasuredRun& run, const SchedulePlan& ideal) {
  MeasuredSplit out;
  out.makespan = run.makespan;
  out.ideal_makespan = ideal.timing.makespan;
  const auto where = places(run);
  const std::size_t P = run.ranks.size();
  // What the bytes need: the fastest transfer of the step.
  std::int64_t fastest = INT64_MAX;
  for (const MeasuredRank& r : run.ranks) {
    for (const MeasuredComm& c : r.comms) {
      if (c.end > c.start) fastest = std::min(fastest, c.end - c.start);
    }
  }
  if (fastest == INT64_MAX) fastest = 0;
  for (std::size_t r = 0; r < P; ++r) {
    const MeasuredRank& mr = run.ranks[r];
    RankSplit s;
    s.rank = mr.rank;
    s.waiting_on.assign(P, 0);
    s.busy = mr.busy;
    s.idle = run.makespan - mr.busy;
    if (r < ideal.timing.per_rank.size()) {
      for (const TimedAction& a : ideal.timing.per_rank[r]) s.ideal_busy += a.length;
    }
    s.ideal_idle = ideal.timing.makespan - s.ideal_busy;
    // Time in [a, b) covered by this rank's sends and receives, and how many.
    auto comm_in = [&](std::int64_t a, std::int64_t b, std::int64_t& covered, std::int64_t& count) {
      covered = count = 0;
      std::int64_t to = a;
      for (const MeasuredComm& c : mr.comms) {
        if (c.end <= a || c.start >= b) continue;
        ++count;
        const std::int64_t from = std::max(c.start, to), until = std::min(c.end, b);
        if (until > from) covered += until - from;
        to = std::max(to, until);
      }
    };
    std::int64_t cursor = 0;
    for (const MeasuredAction& a : mr.actions) {
      if (a.start > cursor) {
        // Its inputs from other ranks: when the last of them was made.
        std::int64_t ready = INT64_MIN;
        int peer = -1;
        auto consider = [&](const Step& st) {
          for (const PassKey& k : inputs_of(st, run.program.stages)) {
            const auto it = where.find(k);
            if (it == where.end() || it->second.rank == static_cast<int>(r)) continue;
            const std::int64_t end = run.ranks[static_cast<std::size_t>(it->second.rank)].actions[it->second.index].end;
            if (end > ready) {
              ready = end;
              peer = it->second.rank;
            }
          }
        };
        consider(a.action.first);
        if (a.action.op == Op::Overlap) consider(a.action.second);
        std::int64_t from = cursor;
        if (peer >= 0 && ready > cursor) {
          const std::int64_t waited = std::min(ready, a.start) - cursor;
          s.waiting_on[static_cast<std::size_t>(peer)] += waited;
          s.waiting_on_peers += waited;
          from = std::min(ready, a.start);
        }
        std::int64_t covered = 0, count = 0;
        comm_in(from, a.start, covered, count);
        const std::int64_t needed = std::min(covered, count * fastest);
        s.comm_needed += needed;
        s.comm_beyond += covered - needed;
        s.nothing += (a.start - from) - covered;
      }
      cursor = std::max(cursor, a.end);
    }
    s.drain = std::max<std::int64_t>(0, run.makespan - cursor);
    // On a GPU, the gaps between a pass's kernels are idle too: nothing ran.
    s.nothing += s.idle - (s.waiting_on_peers + s.comm_needed + s.comm_beyond + s.nothing + s.drain);
    out.ranks.push_back(std::move(s));
  }
  // The slow rank: each rank's compute a microbatch, compared with its peers'.
  std::vector<std::vector<std::int64_t>> per_microbatch(P);
  for (std::size_t r = 0; r < P; ++r) {
    std::map<int, std::int64_t> sum;
    for (const MeasuredAction& a : run.ranks[r].actions) sum[a.action.first.microbatch] += a.busy;
    for (const auto& [m, t] : sum) per_microbatch[r].push_back(t);
  }
  std::size_t slowest = 0;
  for (std::size_t r = 1; r < P; ++r) {
    if (median_of(per_microbatch[r]) > median_of(per_microbatch[slowest])) slowest = r;
  }
  std::vector<std::int64_t> peers;
  for (std::size_t r = 0; r < P; ++r) {
    if (r != slowest) peers.insert(peers.end(), per_microbatch[r].begin(), per_microbatch[r].end());
  }
  if (P > 1 && !per_microbatch[slowest].empty() && !peers.empty()) {
    const double mine = median_of(per_microbatch[slowest]), theirs = median_of(peers);
    out.slowest = run.ranks[slowest].rank;
    out.straggler_ratio = theirs > 0 ? mine / theirs : 1;
    out.slowest_q1 = quantile_of(per_microbatch[slowest], 0.25);
    out.slowest_q3 = quantile_of(per_microbatch[slowest], 0.75);
    out.peers_q1 = quantile_of(peers, 0.25);
    out.peers_q3 = quantile_of(peers, 0.75);
    if (out.slowest_q1 > out.peers_q3 && out.straggler_ratio > 1.1) out.straggler = out.slowest;
  }
  std::vector<std::int64_t> waited_on(P, 0);
  for (const RankSplit& s : out.ranks) {
    for (std::size_t q = 0; q < P; ++q) waited_on[q] += s.waiting_on[q];
  }
  const auto most = std::max_element(waited_on.begin(), waited_on.end());
  if (most != waited_on.end() && *most > 0) out.most_waited_on = static_cast<int>(most - waited_on.begin());
  return out;
}

}  // namespace pipescope
