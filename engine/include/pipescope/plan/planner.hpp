#pragma once
// The planner: the fastest layouts of a model on N GPUs that fit in their
// memory. It enumerates every layout the rules allow (tp dividing the heads
// within a node, cp, ep for experts, pp dividing the layers, interleaved and
// V stages, dp, the microbatch size dividing the batch, recomputation, ZeRO
// stage, the zoo's schedules), prices each with the cost model, and
// simulates them with the same simulator as every other figure, in order of
// a lower bound on their step time. A layout is simulated only while it
// could still enter the top K or the memory-versus-time front:
//   - its memory is exact before simulating (static memory plus the peak of
//     the activations its schedule's order stores: order, not timing, sets it);
//   - its step time is at least its busiest rank's work plus the forwards
//     before that rank can start, plus the optimizer step;
//   - ZeRO 0, 1 and 2 cost the same time (only memory differs), so one
//     simulation serves them.
// Then --schedule auto's search runs on the best few shapes and joins the
// ranking where it finds a faster order.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipescope/plan/parallel_layout.hpp"
#include "pipescope/schedule/program.hpp"

namespace pipescope {

// Beyond any cluster built (the largest hold a few hundred thousand GPUs).
inline constexpr std::int64_t kMostGpus = 10'000'000;

struct PlanOptions {
  std::int64_t gpus = 0;
  LayoutConstraints fixed;
  int top = 10;  // ranked layouts kept
  // Past it the search stops with what it has (stopped_at_deadline).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;  // set from another thread to stop early
  int auto_shapes = 3;        // best shapes --schedule auto's search refines (0: none)
  double auto_seconds = 0.5;  // for each
};

struct PlannedLayout {
  ParallelLayout layout;
  std::int64_t makespan = 0;     // ns, simulated
  double peak_memory_bytes = 0;  // the fullest GPU's
  int peak_rank = 0;             // its pipeline rank
  bool fits = false;
  int alike = 0;  // ranked rows: other layouts with the same step and memory, folded into this one
  // For --schedule auto rows: the order its search found (the zoo's rows
  // rebuild theirs from the layout).
  std::shared_ptr<const Program> program;
};

struct PlanResult {
  // Fitting, fastest first, at most `top`; each timing once (its least ZeRO
  // stage that fits), and layouts of the same step and memory folded (`alike`).
  std::vector<PlannedLayout> ranked;
  std::vector<PlannedLayout> front;   // no layout is both faster and smaller: memory up, step time down (fits or not)
  std::optional<PlannedLayout> fastest;       // the fastest simulated, fitting or not
  std::optional<PlannedLayout> least_memory;  // the layout that needs the least memory of all considered
  std::int64_t evaluated = 0;  // layouts considered (every schedule and ZeRO stage of every shape the rules allow)
  std::int64_t simulated = 0;  // of which timed by the simulator (the rest were bounded out)
  std::int64_t auto_searched = 0;  // shapes --schedule auto refined
  bool stopped_at_deadline = false, cancelled = false;
  double seconds = 0;
};

// Thrown when no layout can be planned; the message says why and what to change.
struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `base` gives the model, hardware and cluster (a transformer; its layout
// fields are replaced). `on_progress` gets a snapshot whenever the top K
// changes (at most every 50 ms) and at the end. Throws PlanError when the
// GPU count or the constraints leave no layout, or none fits (saying the
// least memory any layout needs, and which).
PlanResult plan_layouts(const Params& base, const PlanOptions& options,
                        const std::function<void(const PlanResult&)>& on_progress = {});

// The `how_many` GPU counts nearest `gpus` that some layout of this model can use, in ascending order.
std::vector<std::int64_t> usable_gpu_counts(const Params& base, std::int64_t gpus, int how_many);

}  // namespace pipescope
