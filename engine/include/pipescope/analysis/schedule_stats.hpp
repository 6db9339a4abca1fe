#pragma once
// Figures of a timed schedule: makespan, busy and idle time per rank, the
// bubble under three definitions people use, memory per rank (static and
// peak activations, in bytes, against the GPU's memory) and the traffic.
// Times are in the plan's unit: frames of the animation for the notebook's
// model, nanoseconds for a real one (views show microseconds).

#include <cstdint>
#include <vector>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

struct RankStats {
  std::int64_t busy = 0;        // computing
  std::int64_t idle = 0;        // makespan - busy
  std::int64_t first_start = 0, last_end = 0;  // its own span
  double peak_activations = 0;  // stage-microbatches held at once x layers a stage (microbatch-layers)
  double peak_activation_bytes = 0;
  // Stored activations at their peak, plus full recomputation's one layer rebuilt in a backward.
  double static_memory_bytes = 0;  // weights + gradients + optimizer + overhead
  double peak_memory_bytes = 0;    // static + peak activations
  // One GPU of the rank (cost_model.hpp's ModelStateBytes).
  double parameters = 0;  // of the layers it holds, before tp or ZeRO shard them
  double weights_bytes = 0, gradients_bytes = 0, optimizer_bytes = 0, overhead_bytes = 0;
  bool over_memory = false;        // peak_memory_bytes > the GPU's memory
  // Where the busy time goes (real time from the model only; the rest of
  // busy is compute): tensor-parallel collectives and FSDP gathers inside
  // the passes, and the forward work recomputation re-runs.
  std::int64_t tp_communication = 0, cp_communication = 0, ep_communication = 0, fsdp_communication = 0;
  std::int64_t recompute = 0;
  // The rest of busy: the passes' own work.
  std::int64_t compute() const {
    return busy - tp_communication - cp_communication - ep_communication - fsdp_communication - recompute;
  }
};

struct StageStats {
  int stage, rank;
  std::int64_t f, i, w;  // one microbatch's passes, in the plan's unit
};

struct ScheduleStats {
  TimeUnit unit = TimeUnit::Frames;
  std::int64_t makespan = 0;
  std::vector<RankStats> ranks;
  std::vector<StageStats> stages;
  double flops_per_replica = 0;           // one step, model FLOPs
  double hardware_flops_per_replica = 0;  // with recomputation
  double gpu_memory_bytes = 0;
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

// Activations are stored from a stage's forward of a microbatch; its
// backward through the input frees what only it needs, its weight gradient
// the rest (cost_model.hpp says what each keeps).
ScheduleStats schedule_stats(const Params& params, const SchedulePlan& plan);

// The activation bytes each rank stores over time: a step function, one
// (time, bytes) point where it changes, in the plan's time unit.
struct MemoryPoint {
  std::int64_t time;
  double bytes;
};
std::vector<std::vector<MemoryPoint>> activation_memory(const Params& params, const SchedulePlan& plan);

// Microseconds of a time in the plan's unit (frames count as they are).
inline double in_view_units(const SchedulePlan& plan, std::int64_t t) {
  return plan.real_time() ? static_cast<double>(t) / 1000 : static_cast<double>(t);
}

}  // namespace pipescope
