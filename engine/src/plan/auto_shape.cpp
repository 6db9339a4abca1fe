#include "pipescope/plan/auto_shape.hpp"

#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "pipescope/analysis/units.hpp"
#include "pipescope/schedule/auto_schedule.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

namespace {

struct Shape {
  Params params;
  std::string name;
  std::int64_t makespan = 0;
  bool overlaps = false;  // its order has OVERLAP_F_B actions
};

bool has_overlap(const Program& program) {
  for (const auto& rank : program.per_rank) {
    for (const Action& a : rank) {
      if (a.op == Op::Overlap) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<AutoShape> choose_auto_shape(const Params& p) {
  if (p.schedule != ScheduleKind::Auto || p.chunks || p.schedule_file || p.measured || p.pp < 2) return std::nullopt;
  if (!validate(p).empty()) return std::nullopt;
  // A quarter of auto's time bound for each try: the chosen shape gets the full search after.
  const auto budget = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(p.auto_seconds / 4));
  std::vector<Shape> tried;
  for (const std::int64_t v : {1, 2}) {
    Params q = p;
    q.chunks = v;
    if (!validate(q).empty()) continue;
    try {
      const AutoResult r = auto_schedule(auto_problem(q), {.search_evaluations = 0, .explain = false,
                                                           .deadline = std::chrono::steady_clock::now() + budget});
      tried.push_back({q, v == 1 ? "one stage a rank" : "a V (2 stages a rank)", r.best.makespan,
                       has_overlap(r.best.program)});
    } catch (const std::exception&) {
      // no order of this shape fits
    }
  }
  // Interleaved placements: the zoo's orders. Auto's search makes one stage
  // a rank or a V, so these are a hint when faster, not a choice (the
  // schedule stays auto's, with its search and its report).
  std::vector<Shape> interleaved;
  for (std::int64_t v = 2; v <= 8; ++v) {
    if (p.L % (p.pp * v) != 0) continue;
    for (const ScheduleKind kind : {ScheduleKind::Interleaved1F1B, ScheduleKind::InterleavedZB}) {
      Params q = p;
      q.schedule = kind;
      q.chunks = v;
      if (!validate(q).empty()) continue;
      const AutoProblem pb = auto_problem(q);
      const Program program = build_program(kind, static_cast<int>(q.pp), static_cast<int>(q.microbatches),
                                            static_cast<int>(v));
      const std::vector<double> peak = program_peak_bytes(program, pb.activation_bytes, pb.kept_for_w_bytes);
      bool fits = true;
      for (std::size_t r = 0; r < peak.size(); ++r) fits = fits && peak[r] <= pb.budget_bytes[r];
      if (!fits) continue;
      interleaved.push_back({q, fmt::format("{} with {} stages a rank", schedule_info(kind).name, v),
                             simulate(program, pb.costs).makespan, false});
    }
  }
  if (tried.empty()) return std::nullopt;  // validate() explains why nothing fits
  const Shape* hint = nullptr;
  for (const Shape& s : interleaved) {
    if (!hint || s.makespan < hint->makespan) hint = &s;
  }
  const Shape* best = &tried.front();
  for (const Shape& s : tried) {
    if (s.makespan < best->makespan) best = &s;
  }
  const TimeUnit unit = p.real_time() ? TimeUnit::Nanoseconds : TimeUnit::Frames;
  // Beside it, the other shape.
  std::string against;
  for (const Shape& s : tried) {
    if (&s != best) against += fmt::format("; {} {}", s.name, duration_text(unit, static_cast<double>(s.makespan)));
  }
  std::string note = fmt::format("--schedule auto chose {} ({}{})", best->name,
                                 duration_text(unit, static_cast<double>(best->makespan)), against);
  const bool v_shape = best->params.schedule == ScheduleKind::Auto && best->params.chunks == 2;
  if (v_shape || best->overlaps) {
    note += fmt::format("; its order needs a PyTorch newer than 2.6 ({})",
                        v_shape ? "2.6 has no V placement" : "2.6 has no OVERLAP_F_B");
  }
  if (hint && hint->makespan < best->makespan) {
    note += fmt::format("; {} is faster, {} (a zoo order): --schedule {} --chunks {}", hint->name,
                        duration_text(unit, static_cast<double>(hint->makespan)),
                        schedule_info(hint->params.schedule).name, *hint->params.chunks);
  }
  return AutoShape{best->params, note};
}

}  // namespace pipescope
