#include "pipescope/schedule/auto_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "pipescope/schedule/semantics.hpp"

#include "greedy_schedule.hpp"
#include "pipescope/model/cost_model.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

namespace {

constexpr double kNoCap = std::numeric_limits<double>::infinity();

// Timed by simulate() and counted as schedule_stats counts memory; nothing
// when the order cannot run.
std::optional<AutoCandidate> evaluate(const AutoProblem& pb, std::string name, Program program) {
  AutoCandidate c;
  try {
    c.makespan = simulate(program, pb.costs).makespan;
  } catch (const Deadlock&) {
    return std::nullopt;
  }
  c.peak_bytes = program_peak_bytes(program, pb.activation_bytes, pb.kept_for_w_bytes);
  c.fits = true;
  for (std::size_t r = 0; r < c.peak_bytes.size(); ++r) {
    if (c.peak_bytes[r] > pb.budget_bytes[r] * (1 + 1e-9) + 1e-6) c.fits = false;
  }
  c.name = std::move(name);
  c.program = std::move(program);
  return c;
}

bool better(const AutoCandidate& a, const std::optional<AutoCandidate>& best) {
  return a.fits && (!best || a.makespan < best->makespan);
}

std::string hold_name(double k, int v) {
  if (k <= 0) return "memory the only limit";
  const std::string base = v == 2 ? "(2(p-r)-1)" : "(p-r)";
  return k == 1 ? "hold <= " + base : fmt::format("hold <= {:g} x {}", k, base);
}

std::vector<int> hold_limits(const AutoProblem& pb, double k) {
  if (k <= 0) return {};
  std::vector<int> hold;
  for (int r = 0; r < pb.ranks; ++r) {
    const int base = pb.chunks == 2 ? 2 * (pb.ranks - r) - 1 : pb.ranks - r;
    hold.push_back(std::max(1, static_cast<int>(std::ceil(k * base))));
  }
  return hold;
}

// Tier 2: every rule, ranked by the greedy's own timing; the few best are
// timed by simulate() (the authority, and the dearer part) and the best that
// fits kept. The greedy never exceeds a budget, so every rule's order fits.
// Whether the search should end now: asked to, or past its time bound with
// an answer in hand.
bool time_to_stop(const AutoOptions& o, bool have_answer, AutoResult& out) {
  if (o.cancel != nullptr && o.cancel->load(std::memory_order_relaxed)) return true;
  if (!have_answer || o.deadline == std::chrono::steady_clock::time_point::max()) return false;
  if (std::chrono::steady_clock::now() <= o.deadline) return false;
  out.stopped_at_deadline = true;
  return true;
}

void greedy_tier(const AutoProblem& pb, std::optional<AutoCandidate>& best, int& evaluated,
                 detail::GreedyRule* best_rule, const AutoOptions& options, AutoResult& out) {
  struct Ranked {
    std::int64_t estimate;
    std::string name;
    detail::GreedyRule rule;
    Program program;
  };
  std::vector<Ranked> ranked;
  for (const double k : {1.0, 1.5, 2.0, 3.0, 0.0}) {
    for (const bool prefer_i : {true, false}) {
      for (const bool eager_w : {false, true}) {
        for (const bool later : pb.chunks == 2 ? std::vector<bool>{true, false} : std::vector<bool>{true}) {
          if (time_to_stop(options, best.has_value(), out)) break;
          detail::GreedyRule rule{prefer_i, eager_w, later, hold_limits(pb, k)};
          // Bounded only with an answer in hand (the zoo's, or a rule's).
          auto order = detail::greedy(pb, rule, best ? options.deadline : std::chrono::steady_clock::time_point::max());
          ++evaluated;
          if (!order) continue;
          ranked.push_back({order->estimate,
                            fmt::format("greedy: prefer {}, W {}, {}{}", prefer_i ? "I" : "F",
                                        eager_w ? "right after I" : "fills bubbles", hold_name(k, pb.chunks),
                                        pb.chunks == 2 ? (later ? ", later stage first" : ", earlier stage first") : ""),
                            rule, std::move(order->program)});
        }
      }
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.estimate < b.estimate; });
  // The greedy's timing is simulate()'s for its own order (both run each
  // pass as soon as its rank and inputs allow) except for the data-parallel
  // exchanges, which it leaves out: with them, the best few are timed.
  const std::size_t timed = pb.costs.exchanges ? 3 : 1;
  for (std::size_t i = 0; i < ranked.size() && i < timed; ++i) {
    if (auto c = evaluate(pb, ranked[i].name, std::move(ranked[i].program)); c && better(*c, best)) {
      best = std::move(c);
      if (best_rule) *best_rule = ranked[i].rule;
    }
  }
}

}  // namespace

std::vector<double> program_peak_bytes(const Program& program, const std::vector<double>& act,
                                       const std::vector<double>& kept) {
  std::vector<double> peaks;
  for (const auto& rank : program.per_rank) {
    double now = 0, peak = 0;
    auto pass = [&](const Step& s) {
      const auto st = static_cast<std::size_t>(s.stage);
      now += memory_delta(s.op, act[st], kept[st]).bytes;  // semantics.hpp
      peak = std::max(peak, now);
    };
    for (const Action& a : rank) {
      pass(a.first);
      if (a.op == Op::Overlap) pass(a.second);
    }
    peaks.push_back(peak);
  }
  return peaks;
}

AutoProblem auto_problem(const Params& p) {
  AutoProblem pb;
  pb.ranks = static_cast<int>(p.pp);
  pb.microbatches = static_cast<int>(p.microbatches);
  pb.chunks = static_cast<int>(p.stages_per_rank());
  pb.costs = costs_for(p);
  const ModelFigures m = model_figures(p);
  for (const StageFigures& s : m.stages) {
    pb.activation_bytes.push_back(s.activation_bytes);
    pb.kept_for_w_bytes.push_back(s.kept_for_w_bytes);
  }
  const double gpu = p.gpu_memory_gib * 1024 * 1024 * 1024;
  for (const double s : static_memory_bytes(p, m)) pb.budget_bytes.push_back(gpu - s);
  return pb;
}

std::vector<double> least_auto_memory_bytes(const Params& p) {
  const ModelFigures m = model_figures(p);
  std::vector<double> need = static_memory_bytes(p, m);
  for (std::int64_t s = 0; s < p.stages(); ++s) {
    need[static_cast<std::size_t>(p.rank_of_stage(s))] += m.stages[static_cast<std::size_t>(s)].activation_bytes;
  }
  return need;
}

std::optional<Program> greedy_program(const AutoProblem& problem) {
  auto order = detail::greedy(problem, detail::GreedyRule{});
  if (!order) return std::nullopt;
  return std::move(order->program);
}

AutoResult auto_schedule(const AutoProblem& pb, const AutoOptions& options,
                         const std::function<void(const AutoCandidate&)>& on_better) {
  const int search_evaluations = options.search_evaluations;
  AutoResult out;
  std::optional<AutoCandidate> best;
  // Tier 1: the zoo.
  const Placement placement = pb.chunks == 2 ? Placement::V : Placement::Loop;
  for (const ScheduleInfo& info : schedule_catalog()) {
    if (!options.zoo) break;
    if (info.kind == ScheduleKind::Auto || info.kind == ScheduleKind::Notebook) continue;
    if (schedule_rule_broken(info.kind, pb.ranks, pb.microbatches, pb.chunks)) continue;
    if (schedule_placement(info.kind, pb.chunks) != placement) continue;
    auto c = evaluate(pb, std::string(info.name), build_program(info.kind, pb.ranks, pb.microbatches, pb.chunks));
    if (!c) continue;
    ++out.evaluated;
    out.zoo.push_back(*c);
    if (better(*c, best)) best = std::move(c);
  }
  // Tier 2: the greedy rules.
  detail::GreedyRule rule;
  greedy_tier(pb, best, out.evaluated, &rule, options, out);
  if (!best) {
    throw std::invalid_argument("no order of the passes fits in the GPUs' memory");
  }
  // Tier 3: from the best greedy rule, each rank's hold limit moved one at a
  // time (a seeded search: the same answer every run).
  const std::string origin = best->name;  // what the search starts from, for its results' names
  if (search_evaluations > 0) {
    if (rule.hold.empty()) {
      for (int r = 0; r < pb.ranks; ++r) rule.hold.push_back(pb.chunks * pb.microbatches);
    }
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> pick_rank(0, pb.ranks - 1), pick_step(0, 3);
    detail::GreedyRule current = rule;
    std::int64_t current_makespan = best->makespan;
    const int hold_moves = search_evaluations / 2;
    for (int e = 0; e < hold_moves; ++e) {
      if (time_to_stop(options, best.has_value(), out)) break;
      detail::GreedyRule next = current;
      const auto r = static_cast<std::size_t>(pick_rank(rng));
      const int delta = std::array<int, 4>{-2, -1, 1, 2}[static_cast<std::size_t>(pick_step(rng))];
      next.hold[r] = std::clamp(next.hold[r] + delta, 1, pb.chunks * pb.microbatches);
      if (e % 16 == 15) next.prefer_i = !next.prefer_i;  // now and then, the other order too
      auto order = detail::greedy(pb, next, options.deadline);
      ++out.evaluated;
      // Timed by simulate() only when the greedy's own timing is promising.
      if (!order || order->estimate > current_makespan + current_makespan / 50) continue;
      auto c = evaluate(pb, "search: per-rank hold limits, from " + origin, std::move(order->program));
      if (!c || !c->fits) continue;
      if (c->makespan <= current_makespan) {
        current = next;
        current_makespan = c->makespan;
      }
      if (better(*c, best)) {
        best = std::move(c);
        if (on_better) on_better(*best);
      }
    }
  }
  // Then the order itself: two neighbouring passes of a rank swapped, kept
  // when no slower and fitting (plateaus let it wander). Passes of one
  // (stage, microbatch), and one stage's microbatches of a kind, keep their order.
  if (search_evaluations > 0) {
    std::mt19937 rng(54321);
    AutoCandidate current = *best;
    std::uniform_int_distribution<int> pick_rank(0, pb.ranks - 1);
    for (int e = search_evaluations / 2; e < search_evaluations; ++e) {
      if (time_to_stop(options, best.has_value(), out)) break;
      const auto r = static_cast<std::size_t>(pick_rank(rng));
      auto& rank = current.program.per_rank[r];
      if (rank.size() < 2) continue;
      const std::size_t i = std::uniform_int_distribution<std::size_t>(0, rank.size() - 2)(rng);
      const Step a = rank[i].first, b = rank[i + 1].first;
      if (rank[i].op == Op::Overlap || rank[i + 1].op == Op::Overlap) continue;
      if (a.stage == b.stage && (a.microbatch == b.microbatch || a.op == b.op)) continue;
      Program next = current.program;
      std::swap(next.per_rank[r][i], next.per_rank[r][i + 1]);
      ++out.evaluated;
      auto c = evaluate(pb, "search: neighbouring passes swapped, from " + origin, std::move(next));
      if (!c || !c->fits || c->makespan > current.makespan) continue;
      const bool improved = c->makespan < best->makespan;
      current = *c;
      if (improved) {
        best = std::move(c);
        if (on_better) on_better(*best);
      }
    }
  }
  out.best = std::move(*best);
  if (!options.explain || time_to_stop(options, true, out)) return out;
  // What binds: the same search without the cap.
  AutoProblem free = pb;
  std::fill(free.budget_bytes.begin(), free.budget_bytes.end(), kNoCap);
  std::optional<AutoCandidate> unbound;
  int ignored = 0;
  AutoResult unused;
  greedy_tier(free, unbound, ignored, nullptr, options, unused);
  for (const AutoCandidate& z : out.zoo) {
    if (!unbound || z.makespan < unbound->makespan) unbound = z;
  }
  if (unbound && unbound->makespan < out.best.makespan) {
    out.uncapped_makespan = unbound->makespan;
    // The rank nearest its cap.
    double least_room = kNoCap;
    for (std::size_t r = 0; r < out.best.peak_bytes.size(); ++r) {
      const double room = pb.budget_bytes[r] - out.best.peak_bytes[r];
      if (room < least_room) {
        least_room = room;
        out.binding_rank = static_cast<int>(r);
      }
    }
  }
  return out;
}

}  // namespace pipescope
