// libFuzzer target: PyTorch's schedule CSV as pipescope reads it. A file it
// accepts is timed (or refused as a deadlock) and must write back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipescope/schedule/program_csv.hpp"
#include "pipescope/schedule/simulate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pipescope::ParsedSchedule parsed;
  try {
    parsed = pipescope::parse_schedule_csv(text);
  } catch (const pipescope::CsvError&) {
    return 0;
  }
  try {
    (void)pipescope::simulate(parsed.program, pipescope::Costs{});
  } catch (const pipescope::Deadlock&) {
  }
  // What it accepted, written out and read again, is the same program.
  const std::string csv = pipescope::to_csv(parsed.program);
  if (pipescope::to_csv(pipescope::parse_schedule_csv(csv).program) != csv) std::abort();
  return 0;
}
