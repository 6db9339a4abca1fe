#pragma once
// `pipescope schedule` (each rank's program and timed actions, as text, JSON
// or PyTorch's CSV) and `pipescope stats` (makespan, bubble, memory, traffic).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope::app {

struct ScheduleOptions {
  Params params;
  std::string format = "text";
  bool exact = false;      // --schedule auto: also solve it exactly (glpsol), for small cases
  int exact_seconds = 60;  // the solver's time limit
};

struct StatsOptions {
  Params params;
  bool json = false;
};

struct TraceOptions {
  Params params;
  std::string output = "-";
};

// "schedule 1f1b: pp 4, microbatches 8, ...; per pass F 812.0 us, ...": the
// first line of `schedule` and `stats`.
std::string schedule_header(const Params& p, const SchedulePlan& plan);

// On a terminal, before --schedule auto's search: that it searches and for
// how long at most (a search at pp 128 takes its whole bound: no silent wait).
void say_auto_search_on_terminal(const Params& p);

void add_schedule_commands(CLI::App& cli, ScheduleOptions& schedule, StatsOptions& stats,
                           CLI::App*& schedule_cmd, CLI::App*& stats_cmd);
void add_trace_command(CLI::App& cli, TraceOptions& trace, CLI::App*& trace_cmd);
int run_schedule(const ScheduleOptions& options);
int run_stats(const StatsOptions& options);
int run_trace(const TraceOptions& options);

}  // namespace pipescope::app
