#pragma once
// How every view writes a time or a size, so the stats, lanes, tooltips and
// plots agree: "37 frames", "812.5 us", "12.34 ms", "1.2 s"; "512 B",
// "3.4 MiB", "71.3 GiB".

#include <cstdint>
#include <string>

#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

// A duration (or a time) in a plan's unit: frames as they are, ns as us, ms or s.
std::string duration_text(TimeUnit unit, double t);
// A time axis' tick label: the unit chosen by the ticks' step, no trailing
// zeros ("0", "250 us", "100 ms", "1.5 s"; frames as they are).
std::string tick_text(TimeUnit unit, double t, double step);
// Binary units, as GPU memory is sold (80 GB HBM is 80 GiB).
std::string bytes_text(double bytes);
// "frames" or "us": the unit a plan's figures are written in by machines.
const char* time_unit_name(TimeUnit unit);

}  // namespace pipescope
