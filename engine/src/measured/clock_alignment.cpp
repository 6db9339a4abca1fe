#include "clock_alignment.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "pipescope/schedule/semantics.hpp"

namespace pipescope::detail {

namespace {

struct Place {
  int rank;
  std::size_t index;  // into the rank's actions
};

// The pass (stage, microbatch, kind) each action carries, both halves of an overlapped pair.
using PassKey = std::tuple<int, int, char>;  // stage, microbatch, 'F' or 'b' (I or B: the backward that sends)

struct Edge {
  int from, to;
  std::int64_t weight;  // shift[to] >= shift[from] + weight
};

}  // namespace

std::optional<ClockAlignment> align_clocks(const std::vector<RankRecord>& records, const Program& program) {
  const auto ranks = records.size();
  std::map<PassKey, Place> where;
  for (std::size_t r = 0; r < ranks; ++r) {
    const auto& acts = records[r].actions;
    for (std::size_t i = 0; i < acts.size(); ++i) {
      const Action& a = acts[i].action;
      auto note = [&](const Step& s) {
        if (s.op == Op::F) where[{s.stage, s.microbatch, 'F'}] = {static_cast<int>(r), i};
        if (s.op == Op::I || s.op == Op::B) where[{s.stage, s.microbatch, 'b'}] = {static_cast<int>(r), i};
      };
      note(a.first);
      if (a.op == Op::Overlap) note(a.second);
    }
  }
  // The time a producer's data left its rank: the first send after it,
  // before its rank's next pass; and when the consumer had it: the end of
  // the last receive before it, after its rank's previous pass.
  auto sent_at = [&](const Place& p) {
    const auto& rec = records[static_cast<std::size_t>(p.rank)];
    const std::int64_t end = rec.actions[p.index].end;
    const std::int64_t next = p.index + 1 < rec.actions.size() ? rec.actions[p.index + 1].start : INT64_MAX;
    auto it = std::lower_bound(rec.comms.begin(), rec.comms.end(), end,
                               [](const MeasuredComm& c, std::int64_t t) { return c.start < t; });
    for (; it != rec.comms.end() && it->start < next; ++it) {
      if (it->send) return it->start;
    }
    return end;
  };
  auto received_at = [&](const Place& p) {
    const auto& rec = records[static_cast<std::size_t>(p.rank)];
    const std::int64_t start = rec.actions[p.index].start;
    const std::int64_t prev = p.index > 0 ? rec.actions[p.index - 1].end : INT64_MIN;
    std::int64_t best = start;
    bool found = false;
    for (const MeasuredComm& c : rec.comms) {
      if (c.start >= start) break;
      if (!c.send && c.end <= start && c.end > prev && (!found || c.end > best)) {
        best = c.end;
        found = true;
      }
    }
    return best;
  };
  std::vector<Edge> edges;
  auto depend = [&](const PassKey& producer, const PassKey& consumer) {
    const auto p = where.find(producer), c = where.find(consumer);
    if (p == where.end() || c == where.end() || p->second.rank == c->second.rank) return;
    edges.push_back({p->second.rank, c->second.rank, sent_at(p->second) - received_at(c->second)});
  };
  // Every input that crosses stages (semantics.hpp): a forward's activations, a backward's gradient.
  auto key = [](const Step& st) { return PassKey{st.stage, st.microbatch, st.op == Op::F ? 'F' : 'b'}; };
  for (int s = 0; s < program.stages; ++s) {
    for (int m = 0; m < program.microbatches; ++m) {
      for (const Op op : {Op::F, Op::I}) {
        const Step st{op, s, m};
        const std::optional<Step> from = input_of(st, program.stages);
        if (from && input_from_another_stage(st, *from)) depend(key(*from), key(st));
      }
    }
  }
  ClockAlignment out;
  out.shift.assign(ranks, 0);
  out.residue.assign(ranks, 0);
  out.against.assign(ranks, -1);
  if (std::none_of(edges.begin(), edges.end(), [](const Edge& e) { return e.weight > 0; })) return out;
  auto satisfied = [&](const std::vector<std::int64_t>& shift) {
    return std::all_of(edges.begin(), edges.end(), [&](const Edge& e) {
      return shift[static_cast<std::size_t>(e.to)] >= shift[static_cast<std::size_t>(e.from)] + e.weight;
    });
  };
  // Shifting every rank alike changes nothing: move as little as possible
  // overall (the median shift, which minimises the sum of |shift|, becomes
  // 0: one host's clock is off, not all the others').
  auto centre_on_median = [&](std::vector<std::int64_t>& shift) {
    std::vector<std::int64_t> sorted = shift;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(ranks / 2), sorted.end());
    const std::int64_t median = sorted[ranks / 2];
    for (auto& s : shift) s -= median;
  };
  // Each pair's window: shift[b] - shift[a] in [low, high].
  std::map<std::pair<int, int>, std::pair<std::int64_t, std::int64_t>> window;
  for (const Edge& e : edges) {
    const bool forward = e.from < e.to;
    auto& w = window.try_emplace({std::min(e.from, e.to), std::max(e.from, e.to)}, INT64_MIN, INT64_MAX).first->second;
    if (forward) w.first = std::max(w.first, e.weight);   // shift[to] - shift[from] >= weight
    else w.second = std::min(w.second, -e.weight);        // shift[from] - shift[to] <= -weight
  }
  // The middles, from rank 0 outwards over pairs bounded both ways.
  std::vector<bool> placed(ranks, false);
  placed[0] = true;
  std::vector<int> queue{0};
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const int a = queue[q];
    for (const auto& [pair, w] : window) {
      if (w.first == INT64_MIN || w.second == INT64_MAX || w.first > w.second) continue;
      const int other = pair.first == a ? pair.second : pair.second == a ? pair.first : -1;
      if (other < 0 || placed[static_cast<std::size_t>(other)]) continue;
      const std::int64_t middle = w.first + (w.second - w.first) / 2;  // shift[second] - shift[first]
      const auto o = static_cast<std::size_t>(other);
      out.shift[o] = out.shift[static_cast<std::size_t>(a)] + (other == pair.second ? middle : -middle);
      out.residue[o] = (w.second - w.first) / 2;
      out.against[o] = a;
      placed[o] = true;
      queue.push_back(other);
    }
  }
  if (std::all_of(placed.begin(), placed.end(), [](bool p) { return p; }) && satisfied(out.shift)) {
    out.centred = true;
    centre_on_median(out.shift);
    return out;
  }
  // Longest paths from all-zero shifts (Bellman-Ford): the least shifts that
  // satisfy every constraint. Clocks that no shift can reconcile (a cycle
  // of constraints that add up positive) are left as the files have them.
  std::vector<std::int64_t> shift(ranks, 0);
  for (std::size_t round = 0; round <= ranks; ++round) {
    bool changed = false;
    for (const Edge& e : edges) {
      const std::int64_t want = shift[static_cast<std::size_t>(e.from)] + e.weight;
      if (want > shift[static_cast<std::size_t>(e.to)]) {
        shift[static_cast<std::size_t>(e.to)] = want;
        changed = true;
      }
    }
    if (!changed) {
      centre_on_median(shift);
      out = {shift, std::vector<std::int64_t>(ranks, 0), std::vector<int>(ranks, -1), false};
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace pipescope::detail
