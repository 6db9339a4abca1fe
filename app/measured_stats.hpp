#pragma once
// `pipescope stats --measured`: the measured step beside its ideal, as JSON
// (the "measured" object) and as text, and where the difference went.

#include <nlohmann/json.hpp>

#include "pipescope/analysis/analysis.hpp"

namespace pipescope::app {

// Requires a.measured.
nlohmann::json measured_json(const ScheduleAnalysis& a);
void print_measured_text(const ScheduleAnalysis& a);

}  // namespace pipescope::app
