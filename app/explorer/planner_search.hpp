#pragma once
// The planner (pipescope plan) off the UI thread, for the Planner panel:
// ranked layouts and the memory-versus-time front arrive while it runs;
// `wake` is called from the worker each time (the explorer posts an empty
// event, so an idle window redraws). Cancelled by stop() or a new start().

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "pipescope/plan/planner.hpp"

namespace pipescope::app {

class PlannerSearch {
 public:
  explicit PlannerSearch(std::function<void()> wake) : wake_(std::move(wake)) {}
  ~PlannerSearch() { stop(); }
  PlannerSearch(const PlannerSearch&) = delete;
  PlannerSearch& operator=(const PlannerSearch&) = delete;

  // Plans `base`'s model on `gpus` (its layout fields are ignored).
  void start(const Params& base, std::int64_t gpus);
  void stop();

  struct Snapshot {
    bool running = false, started = false;
    std::int64_t gpus = 0;
    PlanResult result;  // so far
    std::string error;  // the planner's refusal (no layout, none fits)
  };
  Snapshot snapshot() const;

 private:
  void run(Params base, std::int64_t gpus);

  std::function<void()> wake_;
  mutable std::mutex mutex_;
  Snapshot state_;
  std::atomic<bool> cancel_{false};
  std::thread worker_;
};

}  // namespace pipescope::app
