#pragma once
// The schedule's figures beside the scene: makespan, the bubble under three
// definitions (each explained on hover), per-rank busy share and peak stored
// activations, traffic; and activation memory over time, one line per rank,
// with the playhead and each rank's peak (click to seek). The same numbers as
// `pipescope stats`, read from the engine.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explorer_state.hpp"
#include "pipescope/schedule_stats.hpp"

namespace pipescope::app {

struct MetricsInput {
  const ScheduleStats& stats;
  const std::vector<std::vector<MemoryPoint>>& memory;  // per rank, microbatch-layers over time
  double bytes_per_microbatch_layer;
  std::uint32_t frame, last;
  const ScheduleStats* compare = nullptr;  // a compared schedule's figures, side by side
  std::string name, compare_name;
  const std::vector<std::vector<MemoryPoint>>* compare_memory = nullptr;
  int* dtype_bytes = nullptr;  // bytes per element, editable in the section
  std::int64_t axis_frames = 0;  // the plots' time axis; 0: this schedule's makespan
};

// A frame to seek to, if the memory plot was clicked.
std::optional<std::uint32_t> metrics_section(const MetricsInput& in, WidgetRects& rects);
// Just the memory plot, `height` pixels tall, from `left` pixels in (to line
// up with the lanes' time axis) to the window's right edge.
std::optional<std::uint32_t> memory_plot(const MetricsInput& in, float height, WidgetRects& rects, float left = 0);

}  // namespace pipescope::app
