// libFuzzer target: the real command line (every command's flags), then,
// for parameters it accepts, what every command builds from them: the
// schedule's plan and statistics, the scene and its first frames' dump.
// Input: arguments separated by NUL bytes. Nothing is run that opens a
// window, renders or writes a file.
#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/analysis/state_dump.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"pipescope"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());

  pipescope::app::CommandLine command_line;
  std::ostringstream out, err;
  if (command_line.parse(static_cast<int>(argv.size()), argv.data(), out, err)) return 0;
  const pipescope::Params& p = command_line.params();
  if (!pipescope::validate(p).empty()) return 0;
  // Keep each run quick: small scenes are built in full.
  if (pipescope::estimated_object_count(p) > 20000 || pipescope::frame_count(p) > 20000) return 0;
  const pipescope::SchedulePlan plan = pipescope::make_plan(p);
  // Whatever the costs (a sequence of 2^31 tokens, a GPU of 1e-300 TFLOP/s),
  // accepted parameters time every pass positive and no rank past the step.
  for (const auto& rank : plan.timing.per_rank) {
    std::int64_t busy = 0;
    for (const auto& a : rank) {
      if (a.length <= 0 || a.start < 0) std::abort();
      busy += a.length;
    }
    if (busy > plan.timing.makespan) std::abort();
  }
  (void)pipescope::schedule_stats(p, plan);
  const pipescope::Scene scene(p);
  std::ostringstream dump;
  dump.exceptions(std::ios::goodbit);
  pipescope::write_state_dump(dump, scene.layout(), scene.timeline());
  return 0;
}
