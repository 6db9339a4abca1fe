#include "pipescope/plan/planner.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "pipescope/analysis/units.hpp"
#include "pipescope/model/cost_model.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/auto_schedule.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"

#include "layout_space.hpp"

namespace pipescope {

namespace {

using detail::fixed_allows;
using detail::schedules_for;
using detail::shapes_of;
using detail::why_no_shape;
using Clock = std::chrono::steady_clock;
constexpr double kGiB = 1024.0 * 1024 * 1024;

// No order finishes sooner: a rank does all its passes after the first
// forward reaches it; and all its backwards and weight gradients after the
// first microbatch has gone to the last stage and come back to one of its
// stages. Plus the optimizer step after the last pass.
std::int64_t step_lower_bound(const Program& prog, const Costs& c) {
  const int S = prog.stages;
  const double m = prog.microbatches;
  auto send_after = [&](int s) {  // between stage s and s + 1
    return prog.rank_of(s) != prog.rank_of(s + 1) ? static_cast<double>(c.send) : 0.0;
  };
  std::vector<double> reach(static_cast<std::size_t>(S), 0), back(static_cast<std::size_t>(S), 0);
  for (int s = 1; s < S; ++s) {
    reach[static_cast<std::size_t>(s)] =
        reach[static_cast<std::size_t>(s - 1)] + static_cast<double>(c.f_of(s - 1)) + send_after(s - 1);
  }
  // back[s]: from the end of F(s) to the start of I(s) of one microbatch.
  for (int s = S - 2; s >= 0; --s) {
    back[static_cast<std::size_t>(s)] = back[static_cast<std::size_t>(s + 1)] + 2 * send_after(s) +
                                        static_cast<double>(c.f_of(s + 1) + c.i_of(s + 1));
  }
  double bound = 0;
  for (int r = 0; r < prog.ranks; ++r) {
    double work = 0, backward = 0, first_reach = INFINITY, first_i = INFINITY;
    for (int s = 0; s < S; ++s) {
      if (prog.rank_of(s) != r) continue;
      const auto st = static_cast<std::size_t>(s);
      work += m * static_cast<double>(c.f_of(s) + c.i_of(s) + c.w_of(s));
      backward += m * static_cast<double>(c.i_of(s) + c.w_of(s));
      first_reach = std::min(first_reach, reach[st]);
      first_i = std::min(first_i, reach[st] + static_cast<double>(c.f_of(s)) + back[st]);
    }
    bound = std::max({bound, first_reach + work, first_i + backward});
  }
  return static_cast<std::int64_t>(bound) + c.step_tail;
}

// One simulation serves every ZeRO stage below 3 of a shape and schedule.
struct TimingGroup {
  std::shared_ptr<const Program> program;
  std::shared_ptr<const Costs> costs;
  std::int64_t makespan = -1;  // not simulated yet
  std::int64_t bound = 0;
};

struct Candidate {
  ParallelLayout layout;
  int timing;
  double memory;
  int peak_rank;
  bool fits;
};

// The memory-versus-time front: memory up, step time strictly down.
class Front {
 public:
  // Some recorded layout is no larger and no slower than (memory, time).
  bool dominates(double memory, std::int64_t time) const {
    auto it = points_.upper_bound(memory);
    if (it == points_.begin()) return false;
    return std::prev(it)->second.makespan <= time;
  }
  void add(const PlannedLayout& p) {
    if (dominates(p.peak_memory_bytes, p.makespan)) return;
    auto it = points_.lower_bound(p.peak_memory_bytes);
    while (it != points_.end() && it->second.makespan >= p.makespan) it = points_.erase(it);
    points_[p.peak_memory_bytes] = p;
  }
  std::vector<PlannedLayout> points() const {
    std::vector<PlannedLayout> out;
    for (const auto& [memory, p] : points_) out.push_back(p);
    return out;
  }

 private:
  std::map<double, PlannedLayout> points_;
};
class Planner {
 public:
  Planner(const Params& base, const PlanOptions& o, const std::function<void(const PlanResult&)>& on_progress)
      : base_(base), o_(o), on_progress_(on_progress), start_(Clock::now()) {}

  PlanResult run() {
    if (base_.model != CostModel::Transformer) {
      throw PlanError("plan lays out a transformer on real GPUs: give --model transformer and its shape "
                      "(--d-model, --layers, --heads, --seq-len, --batch), or --preset llama3-70b-h100");
    }
    if (o_.gpus < 1 || o_.gpus > kMostGpus) {
      throw PlanError(fmt::format("--gpus is {}, but it must be from 1 to {} (the largest clusters built hold a few "
                                  "hundred thousand)",
                                  o_.gpus, kMostGpus));
    }
    const std::vector<ParallelLayout> shapes = shapes_of(base_, o_.gpus, o_.fixed);
    if (shapes.empty()) throw PlanError(why_no_shape(base_, o_.gpus, o_.fixed));
    for (const ParallelLayout& shape : shapes) add_shape(shape);
    if (candidates_.empty()) {
      throw PlanError(fmt::format("no layout of {} GPUs is allowed{}: {}", o_.gpus,
                                  o_.fixed.empty() ? "" : " with " + constraints_text(o_.fixed), first_refusal_));
    }
    result_.evaluated = static_cast<std::int64_t>(candidates_.size());
    search();
    refine_with_auto();
    finish();
    return result_;
  }

 private:
  bool stop(bool have_answer) {
    if (o_.cancel && o_.cancel->load(std::memory_order_relaxed)) {
      result_.cancelled = true;
      return true;
    }
    if (!have_answer || o_.deadline == Clock::time_point::max() || Clock::now() <= o_.deadline) return false;
    result_.stopped_at_deadline = true;
    return true;
  }

  std::shared_ptr<const Program> program_of(ScheduleKind kind, const ParallelLayout& l) {
    const auto key = std::make_tuple(kind, l.pp, l.microbatches, l.chunks);
    auto& slot = programs_[key];
    if (!slot) {
      slot = std::make_shared<const Program>(build_program(kind, static_cast<int>(l.pp), static_cast<int>(l.microbatches),
                                                           static_cast<int>(l.chunks)));
    }
    return slot;
  }

  void add_shape(const ParallelLayout& shape) {
    std::vector<ScheduleKind> kinds;
    for (const ScheduleKind k : schedules_for(shape.pp, shape.chunks)) {
      if (o_.fixed.schedule && *o_.fixed.schedule != ScheduleKind::Auto && *o_.fixed.schedule != k) continue;
      if (schedule_rule_broken(k, shape.pp, shape.microbatches, shape.chunks)) continue;
      kinds.push_back(k);
    }
    if (kinds.empty()) return;
    std::vector<std::int64_t> zeros;
    for (std::int64_t z = 0; z <= (shape.dp * shape.cp > 1 ? 3 : 0); ++z) {
      if (fixed_allows(o_.fixed.zero, z)) zeros.push_back(z);
    }
    if (zeros.empty()) return;
    ParallelLayout l = shape;
    l.schedule = kinds.front();
    l.zero = zeros.front();
    const Params p = apply_layout(base_, l);
    if (const auto errors = validate(p, ValidationScope::Figures); !errors.empty()) {
      if (first_refusal_.empty()) first_refusal_ = fmt::format("{} ({})", errors.front().message, layout_text(l));
      return;
    }
    const ModelFigures figures = model_figures(p);
    std::vector<double> activation, kept;
    for (const StageFigures& s : figures.stages) {
      activation.push_back(s.activation_bytes);
      kept.push_back(s.kept_for_w_bytes);
    }
    // ZeRO 3 gathers weights inside the passes: its own costs.
    std::shared_ptr<const Costs> costs[2];
    std::vector<std::vector<double>> statics;
    for (const std::int64_t z : zeros) {
      Params pz = p;
      pz.zero = z;
      statics.push_back(static_memory_bytes(pz, figures));
      const int fsdp = z >= 3 ? 1 : 0;
      if (!costs[fsdp]) costs[fsdp] = std::make_shared<const Costs>(costs_for(pz));
    }
    const double cap = base_.gpu_memory_gib * kGiB;
    for (const ScheduleKind kind : kinds) {
      l.schedule = kind;
      const auto program = program_of(kind, l);
      const std::vector<double> peak = program_peak_bytes(*program, activation, kept);
      int timing_of[2] = {-1, -1};
      for (std::size_t zi = 0; zi < zeros.size(); ++zi) {
        const int fsdp = zeros[zi] >= 3 ? 1 : 0;
        if (timing_of[fsdp] < 0) {
          timing_of[fsdp] = static_cast<int>(timings_.size());
          timings_.push_back({program, costs[fsdp], -1, step_lower_bound(*program, *costs[fsdp])});
        }
        Candidate c{l, timing_of[fsdp], 0, 0, false};
        c.layout.zero = zeros[zi];
        for (std::size_t r = 0; r < peak.size(); ++r) {
          const double need = statics[zi][r] + peak[r];
          if (need > c.memory) {
            c.memory = need;
            c.peak_rank = static_cast<int>(r);
          }
        }
        c.fits = c.memory <= cap;
        candidates_.push_back(c);
        if (!result_.least_memory || c.memory < result_.least_memory->peak_memory_bytes) {
          result_.least_memory = planned(c, -1);
        }
      }
    }
  }

  PlannedLayout planned(const Candidate& c, std::int64_t makespan) const {
    return {c.layout, makespan, c.memory, c.peak_rank, c.fits, 0, nullptr};
  }

  // The K-th fastest distinct step time of a fitting layout found so far
  // (none yet: no bound). Distinct, so that rows folded as alike (the same
  // step and memory) still leave K.
  std::int64_t kth_fastest() const {
    int distinct = 0;
    std::int64_t last = -1;
    for (const auto& [makespan, timing] : fitting_) {
      if (makespan != last && ++distinct == o_.top) return makespan;
      last = makespan;
    }
    return INT64_MAX;
  }

  void search() {
    std::vector<std::size_t> order(candidates_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const Candidate &x = candidates_[a], &y = candidates_[b];
      const std::int64_t bx = timings_[static_cast<std::size_t>(x.timing)].bound;
      const std::int64_t by = timings_[static_cast<std::size_t>(y.timing)].bound;
      return bx != by ? bx < by : x.memory < y.memory;
    });
    auto last_report = Clock::now();
    for (const std::size_t index : order) {
      if (stop(!fitting_.empty())) break;
      const Candidate& c = candidates_[index];
      TimingGroup& t = timings_[static_cast<std::size_t>(c.timing)];
      const bool for_top = c.fits && t.bound < kth_fastest();
      if (!for_top && front_.dominates(c.memory, t.bound)) continue;
      if (t.makespan < 0) {
        t.makespan = simulate(*t.program, *t.costs).makespan;
        ++result_.simulated;
      }
      const PlannedLayout row = planned(c, t.makespan);
      front_.add(row);
      if (!result_.fastest || row.makespan < result_.fastest->makespan) result_.fastest = row;
      if (!c.fits) continue;
      // Each timing once: by its least ZeRO stage that fits.
      auto [it, inserted] = best_of_timing_.try_emplace(c.timing, row);
      if (inserted) {
        fitting_.insert({row.makespan, c.timing});
      } else if (row.layout.zero < it->second.layout.zero) {
        it->second = row;
      } else {
        continue;
      }
      if (on_progress_ && Clock::now() - last_report > std::chrono::milliseconds(50)) {
        last_report = Clock::now();
        on_progress_(snapshot());
      }
    }
  }

  std::vector<PlannedLayout> top_rows() const {
    std::vector<PlannedLayout> rows;
    for (const auto& [makespan, timing] : fitting_) {
      rows.push_back(best_of_timing_.at(timing));
      if (makespan > kth_fastest()) break;
    }
    for (const PlannedLayout& a : auto_rows_) rows.push_back(a);
    std::stable_sort(rows.begin(), rows.end(), [](const PlannedLayout& a, const PlannedLayout& b) {
      return a.makespan != b.makespan ? a.makespan < b.makespan : a.peak_memory_bytes < b.peak_memory_bytes;
    });
    if (o_.fixed.schedule == ScheduleKind::Auto) {
      std::erase_if(rows, [](const PlannedLayout& r) { return r.layout.schedule != ScheduleKind::Auto; });
    }
    // Layouts with the same step and memory (dp and cp traded, the batch cut
    // otherwise) are one row: the first, counting the others.
    std::vector<PlannedLayout> kept;
    for (const PlannedLayout& r : rows) {
      if (!kept.empty() && kept.back().makespan == r.makespan && kept.back().peak_memory_bytes == r.peak_memory_bytes) {
        ++kept.back().alike;
      } else {
        kept.push_back(r);
      }
    }
    if (static_cast<int>(kept.size()) > o_.top) kept.resize(static_cast<std::size_t>(o_.top));
    return kept;
  }

  PlanResult snapshot() {
    PlanResult r = result_;
    r.ranked = top_rows();
    r.front = front_.points();
    r.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return r;
  }

  // --schedule auto's search on the best shapes it can order (one stage a
  // rank, or two in a V), from the zoo's best as the bar to beat.
  void refine_with_auto() {
    if (o_.auto_shapes <= 0 || result_.cancelled) return;
    if (o_.fixed.schedule && *o_.fixed.schedule != ScheduleKind::Auto) return;  // a schedule was fixed: auto is not it
    const int shapes = o_.fixed.schedule == ScheduleKind::Auto ? std::max(o_.auto_shapes, o_.top) : o_.auto_shapes;
    // The fastest shapes auto can order, whether or not they made the top.
    std::vector<PlannedLayout> rows;
    for (const auto& [makespan, timing] : fitting_) {
      const PlannedLayout& row = best_of_timing_.at(timing);
      const ParallelLayout& l = row.layout;
      if (l.pp > 1 && (l.chunks == 1 || (l.chunks == 2 && schedule_placement(l.schedule, 2) == Placement::V))) {
        rows.push_back(row);
      }
    }
    std::vector<ParallelLayout> done;
    for (const PlannedLayout& row : rows) {
      if (static_cast<int>(done.size()) >= shapes || stop(true)) break;
      ParallelLayout l = row.layout;
      l.schedule = ScheduleKind::Auto;
      if (std::find(done.begin(), done.end(), l) != done.end()) continue;
      done.push_back(l);
      ++result_.auto_searched;
      const Params p = apply_layout(base_, l);
      if (!validate(p, ValidationScope::Figures).empty()) continue;
      try {
        const AutoProblem pb = auto_problem(p);
        const auto deadline = std::min(o_.deadline, Clock::now() + std::chrono::microseconds(
                                                                        static_cast<std::int64_t>(o_.auto_seconds * 1e6)));
        const AutoResult found = auto_schedule(
            pb, {.zoo = false, .search_evaluations = 64, .explain = false, .cancel = o_.cancel, .deadline = deadline});
        // Beside the zoo's rows only where faster; alone (schedule=auto fixed) whatever it found.
        const bool only_auto = o_.fixed.schedule == ScheduleKind::Auto;
        if (found.best.makespan >= row.makespan && !only_auto) continue;
        PlannedLayout a{l, found.best.makespan, 0, 0, true, 0, std::make_shared<const Program>(found.best.program)};
        const double cap = base_.gpu_memory_gib * kGiB;
        for (std::size_t r = 0; r < found.best.peak_bytes.size(); ++r) {
          const double need = found.best.peak_bytes[r] + (cap - pb.budget_bytes[r]);
          if (need > a.peak_memory_bytes) {
            a.peak_memory_bytes = need;
            a.peak_rank = static_cast<int>(r);
          }
        }
        front_.add(a);
        if (a.makespan < result_.fastest->makespan) result_.fastest = a;
        auto_rows_.push_back(a);
      } catch (const std::exception&) {
        // no order of this shape fits: its zoo row stands
      }
    }
  }

  void finish() {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    result_.ranked = top_rows();
    result_.front = front_.points();
    result_.seconds = seconds;
    if (result_.ranked.empty() && !result_.cancelled) {
      const PlannedLayout& least = *result_.least_memory;
      const double gib = least.peak_memory_bytes / kGiB;
      throw PlanError(fmt::format(
          "no layout of {} GPUs fits in {} GiB{}: the least memory any needs is {} on rank {} of {} ({}); give "
          "--gpu-memory-gib {:.0f} or more, or more GPUs",
          o_.gpus, number_text(base_.gpu_memory_gib), o_.fixed.empty() ? "" : " with " + constraints_text(o_.fixed),
          bytes_text(least.peak_memory_bytes), least.peak_rank, layout_text(least.layout), layout_flags(least.layout),
          std::ceil(gib)));
    }
    if (on_progress_) on_progress_(result_);
  }

  const Params& base_;
  const PlanOptions& o_;
  const std::function<void(const PlanResult&)>& on_progress_;
  Clock::time_point start_;
  std::map<std::tuple<ScheduleKind, std::int64_t, std::int64_t, std::int64_t>, std::shared_ptr<const Program>> programs_;
  std::vector<TimingGroup> timings_;
  std::vector<Candidate> candidates_;
  std::multiset<std::pair<std::int64_t, int>> fitting_;  // (makespan, timing) of every timing with a fitting row
  std::map<int, PlannedLayout> best_of_timing_;
  std::vector<PlannedLayout> auto_rows_;
  Front front_;
  PlanResult result_;
  std::string first_refusal_;
};

}  // namespace}  // namespace

PlanResult plan_layouts(const Params& base, const PlanOptions& options,
                        const std::function<void(const PlanResult&)>& on_progress) {
  return Planner(base, options, on_progress).run();
}

}  // namespace pipescope
