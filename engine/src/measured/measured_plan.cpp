#include "pipescope/measured/measured_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/semantics.hpp"

namespace pipescope {

namespace {

// Linear between the nearest ranks (as numpy's default), 0 for none.
template <typename T>
double quantile_of(std::vector<T> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(at);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return static_cast<double>(v[lo]) + (at - static_cast<double>(lo)) * static_cast<double>(v[hi] - v[lo]);
}

template <typename T>
double median_of(std::vector<T> v) {
  return quantile_of(std::move(v), 0.5);
}

// Where each pass ran: (stage, microbatch, letter) -> (rank, action index).
// Letters: F forward, b the backward that sends on (I or B), W weight.
using PassKey = std::tuple<int, int, char>;
struct Place {
  int rank;
  std::size_t index;
};
// One pipeline's passes (pipeline k's ranks are run.ranks[k * pp, (k + 1) * pp)): rank is the index into run.ranks.
std::map<PassKey, Place> places(const MeasuredRun& run, int pipeline) {
  std::map<PassKey, Place> where;
  const auto pp = static_cast<std::size_t>(run.program.ranks);
  for (std::size_t r = static_cast<std::size_t>(pipeline) * pp; r < (static_cast<std::size_t>(pipeline) + 1) * pp && r < run.ranks.size(); ++r) {
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

// Against its replicas (the same stage's ranks in the other pipelines),
// a rank's compute over the step reads up to 1.41 x on runs with no slow
// rank (8 ranks sharing 2 cores), and 1.55-2.02 x for a rank given twice or
// three times the work: named from 1.5 x, and only above every other rank.
constexpr double kSlowReplicaFactor = 1.5;

// The rank computing slowest, against its peers, and whether it is slow
// beyond their spread. With replicas, each rank's compute over the step is
// compared with its stage's other replicas' (same shapes, so a ratio above
// 1 is this rank being slower, not its stage being larger): single passes
// jitter too much on a shared host (0.6-1.4 x) to judge one by one, a
// step's worth of them does not. With one pipeline, each microbatch's
// compute is compared with the other ranks' (stages are alike in size).
void find_slowest(const MeasuredRun& run, const std::vector<std::map<PassKey, Place>>& where_in, MeasuredSplit& out) {
  const std::size_t P = run.ranks.size();
  if (P < 2) return;
  out.per_pass = run.pipelines > 1;
  std::size_t slowest = 0;
  if (out.per_pass) {
    std::vector<double> ratio(P, 0);
    for (std::size_t r = 0; r < P; ++r) {
      std::vector<std::int64_t> theirs;
      for (std::size_t q = 0; q < P; ++q) {
        if (q != r && run.ranks[q].pp_rank == run.ranks[r].pp_rank) theirs.push_back(run.ranks[q].busy);
      }
      const double median = median_of(theirs);
      ratio[r] = median > 0 ? static_cast<double>(run.ranks[r].busy) / median : 0;
      if (ratio[r] > ratio[slowest]) slowest = r;
    }
    out.slowest = run.ranks[slowest].rank;
    out.straggler_ratio = ratio[slowest];
    out.peers_q1 = INFINITY;
    out.peers_q3 = 0;
    for (std::size_t r = 0; r < P; ++r) {
      if (r == slowest) continue;
      out.peers_q1 = std::min(out.peers_q1, ratio[r]);
      out.peers_q3 = std::max(out.peers_q3, ratio[r]);
    }
    // Its passes one by one against the same pass on the other replicas: said, not judged.
    std::vector<double> passes;
    for (std::size_t k = 0; k < where_in.size(); ++k) {
      for (const auto& [key, place] : where_in[k]) {
        if (static_cast<std::size_t>(place.rank) != slowest) continue;
        std::vector<std::int64_t> theirs;
        for (std::size_t j = 0; j < where_in.size(); ++j) {
          const auto it = where_in[j].find(key);
          if (j != k && it != where_in[j].end()) theirs.push_back(run.ranks[static_cast<std::size_t>(it->second.rank)].actions[it->second.index].busy);
        }
        const double median = median_of(theirs);
        if (median > 0) passes.push_back(static_cast<double>(run.ranks[slowest].actions[place.index].busy) / median);
      }
    }
    out.slowest_q1 = quantile_of(passes, 0.25);
    out.slowest_q3 = quantile_of(passes, 0.75);
    if (out.straggler_ratio >= kSlowReplicaFactor && out.straggler_ratio > out.peers_q3) out.straggler = out.slowest;
  } else {
    std::vector<std::vector<std::int64_t>> per_microbatch(P);
    for (std::size_t r = 0; r < P; ++r) {
      std::map<int, std::int64_t> sum;
      for (const MeasuredAction& a : run.ranks[r].actions) sum[a.action.first.microbatch] += a.busy;
      for (const auto& [m, t] : sum) per_microbatch[r].push_back(t);
    }
    for (std::size_t r = 1; r < P; ++r) {
      if (median_of(per_microbatch[r]) > median_of(per_microbatch[slowest])) slowest = r;
    }
    std::vector<std::int64_t> peers;
    for (std::size_t r = 0; r < P; ++r) {
      if (r != slowest) peers.insert(peers.end(), per_microbatch[r].begin(), per_microbatch[r].end());
    }
    if (per_microbatch[slowest].empty() || peers.empty()) return;
    const double mine = median_of(per_microbatch[slowest]), theirs = median_of(peers);
    out.slowest = run.ranks[slowest].rank;
    out.straggler_ratio = theirs > 0 ? mine / theirs : 1;
    out.slowest_q1 = quantile_of(per_microbatch[slowest], 0.25);
    out.slowest_q3 = quantile_of(per_microbatch[slowest], 0.75);
    out.peers_q1 = quantile_of(peers, 0.25);
    out.peers_q3 = quantile_of(peers, 0.75);
    if (out.slowest_q1 > out.peers_q3 && out.straggler_ratio > 1.1) out.straggler = out.slowest;
  }

  // Its compute beyond its peers': the rank's busy time against theirs
  // (the same stage on other replicas, else every other rank), and the
  // operators that took longer, the most first.
  std::vector<std::size_t> peer_ranks;
  for (std::size_t r = 0; r < P; ++r) {
    if (r == slowest) continue;
    if (!out.per_pass || run.ranks[r].pp_rank == run.ranks[slowest].pp_rank) peer_ranks.push_back(r);
  }
  std::vector<std::int64_t> busy;
  for (std::size_t r : peer_ranks) busy.push_back(run.ranks[r].busy);
  out.compute_excess = run.ranks[slowest].busy - static_cast<std::int64_t>(std::llround(median_of(busy)));
  std::map<std::string, std::vector<std::int64_t>> peer_ops;
  for (std::size_t r : peer_ranks) {
    for (const OperatorTime& o : run.ranks[r].operators) peer_ops[o.name].push_back(o.ns);
  }
  for (const OperatorTime& o : run.ranks[slowest].operators) {
    auto& theirs_ns = peer_ops[o.name];
    theirs_ns.resize(peer_ranks.size(), 0);  // a peer that never ran it: 0
    const auto median = static_cast<std::int64_t>(std::llround(median_of(theirs_ns)));
    if (o.ns > median) out.excess_operators.push_back(OperatorExcess{o.name, o.ns, median});
  }
  std::sort(out.excess_operators.begin(), out.excess_operators.end(), [](const auto& a, const auto& b) {
    return a.mine - a.peers > b.mine - b.peers;
  });
  if (out.excess_operators.size() > 5) out.excess_operators.resize(5);
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
  p.dp = run->dp;  // the ideal runs on the same mesh: dp replicas of the pipeline
  // (tensor-parallel ranks run each pass together: their times are the pass's)
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
  // The gradient all-reduce a stage runs after its last backward: the
  // median over ranks of the time inside their all-reduces, per stage.
  p.time_allreduce.reset();
  if (run->dp > 1) {
    std::vector<std::int64_t> per_stage;
    for (const MeasuredRank& r : run->ranks) {
      std::int64_t inside = 0, to = INT64_MIN;
      for (const MeasuredCollective& c : r.collectives) {
        if (c.name != "all_reduce") continue;
        const std::int64_t from = std::max(c.start, to);
        if (c.end > from) inside += c.end - from;
        to = std::max(to, c.end);
      }
      if (inside > 0) per_stage.push_back(inside / std::max(1, prog.stages_per_rank()));
    }
    if (!per_stage.empty()) p.time_allreduce = std::max(median_of(per_stage), 1.0) / 1000;
  }
  p.measured = std::move(run);
}

Timing measured_timing(const MeasuredRun& run, const Costs& costs, int pipeline) {
  const auto where = places(run, pipeline);
  Timing t;
  const auto pp = static_cast<std::size_t>(run.program.ranks);
  const std::size_t first = static_cast<std::size_t>(pipeline) * pp;
  t.per_rank.resize(pp);
  for (std::size_t r = 0; r < pp && first + r < run.ranks.size(); ++r) {
    for (const MeasuredAction& a : run.ranks[first + r].actions) {
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
    if (run.program.rank_of(to_stage) == place.rank - static_cast<int>(first)) continue;
    const MeasuredRank& rank = run.ranks[static_cast<std::size_t>(place.rank)];
    const std::int64_t end = rank.actions[place.index].end;
    const std::int64_t next = place.index + 1 < rank.actions.size() ? rank.actions[place.index + 1].start : INT64_MAX;
    TimedSend send{stage, to_stage, mb, letter != 'F', end, std::max<std::int64_t>(costs.send, 1)};
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
  // Its gradient all-reduces, one exchange per layer spread over each
  // stage's share of the time its rank spent inside them.
  if (run.dp > 1 && costs.layers_per_stage > 0) {
    for (std::size_t r = 0; r < pp && first + r < run.ranks.size(); ++r) {
      const MeasuredRank& mr = run.ranks[first + r];
      std::int64_t from = INT64_MAX, to = INT64_MIN;
      for (const MeasuredCollective& c : mr.collectives) {
        if (c.name != "all_reduce") continue;
        from = std::min(from, c.start);
        to = std::max(to, c.end);
      }
      if (from >= to) continue;
      std::vector<int> stages;
      for (int st = 0; st < run.program.stages; ++st) {
        if (run.program.rank_of(st) == static_cast<int>(r)) stages.push_back(st);
      }
      const int layers = costs.layers_per_stage * static_cast<int>(stages.size());
      const std::int64_t flash = std::max<std::int64_t>(1, (to - from) / (2 * layers));
      std::int64_t at = from;
      for (auto s = stages.rbegin(); s != stages.rend(); ++s) {
        for (int l = (*s + 1) * costs.layers_per_stage - 1; l >= *s * costs.layers_per_stage; --l) {
          t.exchanges.push_back({*s, l, static_cast<int>(r), at, flash});
          at += 2 * flash;
        }
      }
    }
  }
  t.makespan = run.makespan;
  for (const TimedSend& s : t.sends) t.makespan = std::max(t.makespan, s.start + s.length);
  for (const TimedExchange& e : t.exchanges) t.makespan = std::max(t.makespan, e.end());
  return t;
}

SchedulePlan measured_plan(const Params& p) {
  const MeasuredRun& run = *p.measured;
  SchedulePlan plan;
  plan.program = run.program;
  plan.costs = costs_for(p);
  // The plan is the first pipeline's (the scene and the ideal have one
  // pipeline's timing); the lanes show every replica (measured_timing).
  plan.timing = measured_timing(run, plan.costs, 0);
  // Replicas that ran apart replay apart in the scene (tp ranks share their replica's passes).
  if (run.pipelines > 1 && run.tp == 1 && run.pipelines == p.dp) {
    for (int k = 0; k < run.pipelines; ++k) {
      plan.replica_timing.push_back(k == 0 ? plan.timing : measured_timing(run, plan.costs, k));
    }
  }
  plan.frame_length = frame_length_for(p, plan.timing.makespan);
  return plan;
}

MeasuredSplit split_difference(const MeasuredRun& run, const SchedulePlan& ideal) {
  MeasuredSplit out;
  out.makespan = run.makespan;
  out.ideal_makespan = ideal.timing.makespan;
  const std::size_t P = run.ranks.size();
  const auto pp = static_cast<std::size_t>(std::max(1, run.program.ranks));
  std::vector<std::map<PassKey, Place>> where_in;
  for (int k = 0; k < run.pipelines; ++k) where_in.push_back(places(run, k));
  // What the bytes need: the fastest transfer of the step.
  std::int64_t fastest = INT64_MAX;
  for (const MeasuredRank& r : run.ranks) {
    for (const MeasuredComm& c : r.comms) {
      if (c.end > c.start) fastest = std::min(fastest, c.end - c.start);
    }
  }
  if (fastest == INT64_MAX) fastest = 0;
  out.fastest_transfer = fastest;
  for (std::size_t r = 0; r < P; ++r) {
    const MeasuredRank& mr = run.ranks[r];
    const auto& where = where_in[std::min(r / pp, where_in.size() - 1)];
    RankSplit s;
    s.rank = mr.rank;
    s.waiting_on.assign(P, 0);
    s.busy = mr.busy;
    s.idle = run.makespan - mr.busy;
    if (static_cast<std::size_t>(mr.pp_rank) < ideal.timing.per_rank.size()) {
      for (const TimedAction& a : ideal.timing.per_rank[static_cast<std::size_t>(mr.pp_rank)]) s.ideal_busy += a.length;
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
    // After its last pass: inside its gradient all-reduces (waiting for its
    // replicas' last backward included), then nothing until the step ends.
    {
      std::int64_t to = cursor;
      for (const MeasuredCollective& c : mr.collectives) {
        const std::int64_t from = std::max(c.start, to), until = std::min(c.end, run.makespan);
        if (until > from) s.collective += until - from;
        to = std::max(to, until);
      }
    }
    s.drain = std::max<std::int64_t>(0, run.makespan - cursor - s.collective);
    // On a GPU, the gaps between a pass's kernels are idle too: nothing ran.
    s.nothing += s.idle - (s.waiting_on_peers + s.comm_needed + s.comm_beyond + s.nothing + s.collective + s.drain);
    out.ranks.push_back(std::move(s));
  }
  find_slowest(run, where_in, out);
  std::vector<std::int64_t> waited_on(P, 0);
  for (const RankSplit& s : out.ranks) {
    for (std::size_t q = 0; q < P; ++q) waited_on[q] += s.waiting_on[q];
  }
  const auto most = std::max_element(waited_on.begin(), waited_on.end());
  if (most != waited_on.end() && *most > 0) out.most_waited_on = run.ranks[static_cast<std::size_t>(most - waited_on.begin())].rank;
  return out;
}

}  // namespace pipescope
