#pragma once
// Figures of a timed schedule: makespan, busy and idle time per rank, the
// bubble under three definitions people use, peak stored activations per rank
// and the traffic. All in frames of the animation (one matmul per microbatch
// per frame at unit cost).

#include <cstdint>
#include <vector>

#include "pipescope/params.hpp"
#include "pipescope/simulate.hpp"

namespace pipescope {

struct RankStats {
  std::int64_t busy = 0;        // frames computing
  std::int64_t idle = 0;        // makespan - busy
  std::int64_t first_start = 0, last_end = 0;  // its own span
  double peak_activations = 0;  // in microbatch-layers (one layer's activations of one microbatch)
  double peak_activation_bytes = 0;
};

struct ScheduleStats {
  std::int64_t makespan = 0;
  std::vector<RankStats> ranks;
  // Megatron's and most papers': total idle / total compute (1F1B: (p-1)/m).
  double bubble_idle_over_compute = 0;
  // Idle share of everything the ranks could have done: total idle / (p x makespan).
  double bubble_idle_over_wall = 0;
  // The zero-bubble playground's: 1 - a rank's compute / the longest rank span.
  double bubble_playground = 0;
  // The whole step, all replicas: pipeline sends between ranks and their
  // bytes; data-parallel exchanges (both weights of each layer with the next
  // replica) and their bytes.
  std::int64_t pipeline_messages = 0;
  double pipeline_bytes = 0;
  std::int64_t dp_messages = 0;
  double dp_bytes = 0;
};

// Activations are stored from a stage's forward of a microbatch until its
// weight gradient is done (as the scene shows: green, then red, then gone).
ScheduleStats schedule_stats(const Params& params, const SchedulePlan& plan, std::int64_t dtype_bytes);

// The stored activations of each rank over time, in microbatch-layers: a
// step function, one (frame, value) point where it changes.
struct MemoryPoint {
  std::int64_t time;
  double microbatch_layers;
};
std::vector<std::vector<MemoryPoint>> activation_memory(const SchedulePlan& plan);

}  // namespace pipescope
