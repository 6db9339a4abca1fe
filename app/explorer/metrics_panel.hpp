#pragma once
// The schedule's figures beside the scene: makespan, the bubble under three
// definitions (each explained on hover), per-rank busy share and peak memory
// (ranks over the GPU's memory in red), traffic; and memory over time (static
// plus activations, in GiB against a line at the GPU's memory), one line per
// rank, with the playhead and each rank's peak (click to seek). The same
// numbers as `pipescope stats`, read from the engine, in its units.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explorer_state.hpp"
#include "pipescope/analysis/lanes.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/measured/measured_plan.hpp"

namespace pipescope::app {

struct MetricsInput {
  const ScheduleStats& stats;
  const std::vector<std::vector<MemoryPoint>>& memory;  // per rank, activation bytes over time
  // The scene's time units a frame (SchedulePlan::frame_length): the plots
  // are in time, the playhead and seeking in the scene's frames.
  std::int64_t frame_length;
  std::uint32_t frame, last;
  const ScheduleStats* compare = nullptr;  // a compared schedule's figures, side by side
  std::string name{}, compare_name{};
  const std::vector<std::vector<MemoryPoint>>* compare_memory = nullptr;
  std::int64_t axis_time = 0;  // the plots' time axis; 0: this schedule's makespan
  // A measured step: where its difference from the ideal went, per rank.
  const MeasuredSplit* split = nullptr;
  // Each rank's name ("GPU 2", "GPUs 16-23": Lane::label); empty: "GPU r".
  const std::vector<Lane>* lanes = nullptr;
};

// A frame to seek to, if the memory plot was clicked.
std::optional<std::uint32_t> metrics_section(const MetricsInput& in, WidgetRects& rects);
// Just the memory plot, `height` pixels tall, from `left` pixels in (to line
// up with the lanes' time axis) to the window's right edge.
std::optional<std::uint32_t> memory_plot(const MetricsInput& in, float height, WidgetRects& rects, float left = 0);

}  // namespace pipescope::app
