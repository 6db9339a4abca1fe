#pragma once
// Auto-schedule's slower work, off the UI thread: the makespan-versus-memory
// curve (the search at caps from the least that fits to what the fastest
// order found without a cap holds) and a longer search at the current cap.
// Results arrive while it runs; `wake` is called from the worker each time
// (the explorer posts an empty event, so an idle window redraws).

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/auto_schedule.hpp"

namespace pipescope::app {

struct CapPoint {
  double cap_gib = 0;
  std::int64_t makespan = 0;        // ns
  double bubble = 0;                // idle / compute at this cap
  std::string found_by;
};

class AutoSearch {
 public:
  explicit AutoSearch(std::function<void()> wake) : wake_(std::move(wake)) {}
  ~AutoSearch() { stop(); }
  AutoSearch(const AutoSearch&) = delete;
  AutoSearch& operator=(const AutoSearch&) = delete;

  // Starts over for `p` (a valid --schedule auto parameter set); nothing for others.
  void start(const Params& p, std::int64_t current_makespan);
  void stop();

  struct Snapshot {
    bool running = false;
    std::vector<CapPoint> curve;          // by cap, as they come
    std::optional<AutoCandidate> better;  // faster than the current plan, fitting the current cap
    int evaluated = 0;                    // orders the longer search tried
  };
  Snapshot snapshot() const;

  // The search's budget at the current cap (orders tried), and the curve's caps.
  static constexpr int kSearchEvaluations = 4000;
  static constexpr int kCurvePoints = 8;

 private:
  void run(Params p, std::int64_t current_makespan);

  std::function<void()> wake_;
  mutable std::mutex mutex_;
  Snapshot state_;
  std::atomic<bool> cancel_{false};
  std::thread worker_;
};

}  // namespace pipescope::app
