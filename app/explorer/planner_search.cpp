#include "planner_search.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pipescope::app {

void PlannerSearch::start(const Params& base, std::int64_t gpus) {
  stop();
  {
    std::lock_guard lock(mutex_);
    state_ = {};
    state_.running = state_.started = true;
    state_.gpus = gpus;
  }
  cancel_ = false;
  worker_ = std::thread([this, base, gpus] { run(base, gpus); });
}

void PlannerSearch::stop() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mutex_);
  state_.running = false;
}

PlannerSearch::Snapshot PlannerSearch::snapshot() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void PlannerSearch::run(Params base, std::int64_t gpus) {
  // The lowest priority: on two cores llvmpipe's render threads want both,
  // and at 10 the GPT-3 scene's frames grew by half (55 -> 82 ms) while it ran.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  PlanOptions o;
  o.gpus = gpus;
  o.top = 12;
  o.cancel = &cancel_;
  try {
    const PlanResult r = plan_layouts(base, o, [this](const PlanResult& so_far) {
      std::lock_guard lock(mutex_);
      state_.result = so_far;
      wake_();
    });
    std::lock_guard lock(mutex_);
    state_.result = r;
  } catch (const PlanError& e) {
    std::lock_guard lock(mutex_);
    state_.error = e.what();
  }
  {
    std::lock_guard lock(mutex_);
    state_.running = false;
  }
  wake_();
}

}  // namespace pipescope::app
