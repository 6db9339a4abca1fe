#include "auto_search.hpp"

#include <algorithm>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pipescope::app {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

double bubble_of(const AutoProblem& pb, std::int64_t makespan) {
  // Idle over compute: every order computes the same passes.
  double busy = 0;
  for (int s = 0; s < pb.ranks * pb.chunks; ++s) {
    busy += static_cast<double>(pb.microbatches) *
            static_cast<double>(pb.costs.f_of(s) + pb.costs.i_of(s) + pb.costs.w_of(s));
  }
  return busy > 0 ? (static_cast<double>(pb.ranks) * static_cast<double>(makespan) - busy) / busy : 0;
}

}  // namespace

void AutoSearch::start(const Params& p, std::int64_t current_makespan) {
  stop();
  if (p.schedule != ScheduleKind::Auto || p.schedule_file || !validate(p).empty()) return;
  {
    std::lock_guard lock(mutex_);
    state_ = {};
    state_.running = true;
  }
  cancel_ = false;
  worker_ = std::thread([this, p, current_makespan] { run(p, current_makespan); });
}

void AutoSearch::stop() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mutex_);
  state_.running = false;
}

AutoSearch::Snapshot AutoSearch::snapshot() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void AutoSearch::run(Params p, std::int64_t current_makespan) {
  // Below the UI thread: on a machine of two cores the window keeps its frames.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  const AutoProblem here = auto_problem(p);
  const std::vector<double> least = least_auto_memory_bytes(p);
  const double floor_gib = *std::max_element(least.begin(), least.end()) / kGiB;
  // The top of the curve: what the fastest order found without a cap holds.
  AutoProblem uncapped = here;
  std::fill(uncapped.budget_bytes.begin(), uncapped.budget_bytes.end(), std::numeric_limits<double>::infinity());
  const AutoResult top = auto_schedule(uncapped, {.search_evaluations = 0, .explain = false, .cancel = &cancel_});
  double top_gib = floor_gib;
  const AutoProblem probe = auto_problem(p);
  for (std::size_t r = 0; r < top.best.peak_bytes.size(); ++r) {
    top_gib = std::max(top_gib, (top.best.peak_bytes[r] + (p.gpu_memory_gib * kGiB - probe.budget_bytes[r])) / kGiB);
  }
  for (int k = 0; k < kCurvePoints && !cancel_; ++k) {
    Params at = p;
    at.gpu_memory_gib = floor_gib + (top_gib - floor_gib) * k / (kCurvePoints - 1) + 1e-6;
    try {
      const AutoProblem pb = auto_problem(at);
      const AutoResult r = auto_schedule(pb, {.search_evaluations = 32, .explain = false, .cancel = &cancel_});
      std::lock_guard lock(mutex_);
      state_.curve.push_back({at.gpu_memory_gib, r.best.makespan, bubble_of(pb, r.best.makespan), r.best.name});
    } catch (const std::exception&) {
      // a cap just under what fits at this rounding: no point
    }
    wake_();
  }
  // A longer search at the current cap; what beats the current plan is offered.
  if (!cancel_) {
    try {
      const AutoResult r = auto_schedule(here, {.zoo = false, .search_evaluations = kSearchEvaluations, .explain = false,
                                                .cancel = &cancel_},
                                         [&](const AutoCandidate& c) {
                                           if (c.makespan >= current_makespan) return;
                                           std::lock_guard lock(mutex_);
                                           state_.better = c;
                                           wake_();
                                         });
      std::lock_guard lock(mutex_);
      state_.evaluated = r.evaluated;
    } catch (const std::exception&) {
    }
  }
  {
    std::lock_guard lock(mutex_);
    state_.running = false;
  }
  wake_();
}

}  // namespace pipescope::app
