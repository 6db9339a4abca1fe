// libFuzzer target: PyTorch profiler traces as pipescope reads them. The
// input is one or more traces separated by a line "--" (each becomes a rank's
// file, gzipped or not as its bytes say); whatever they hold, the reader
// either refuses them in one MeasuredRunError or returns a run whose ideal
// and split can be made.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/analysis/analysis.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/measured/measured_run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::string dir = [] {
    char tmpl[] = "/tmp/pipescope-fuzz-trace.XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  std::vector<std::string> files;
  std::size_t from = 0;
  while (files.size() < 8) {
    const std::size_t cut = text.find("\n--\n", from);
    const std::string path = dir + "/rank" + std::to_string(files.size()) + ".json";
    std::ofstream(path, std::ios::binary) << text.substr(from, cut == std::string_view::npos ? std::string_view::npos : cut - from);
    files.push_back(path);
    if (cut == std::string_view::npos) break;
    from = cut + 4;
  }
  try {
    pipescope::Params p;
    // Caps lowered so that inputs reach them cheaply: the same code refuses them as at full size.
    const pipescope::TraceLimits limits{.file_events = 20'000, .run_events = 50'000, .token_bytes = 64 << 10};
    pipescope::apply_measured_run(p, pipescope::load_measured_run(files, std::nullopt, limits));
    if (pipescope::validate(p).empty()) {
      const auto a = pipescope::analyse(p);
      if (!a->measured || a->measured->split.ranks.size() != static_cast<std::size_t>(p.pp)) std::abort();
    }
  } catch (const pipescope::MeasuredRunError&) {
  }
  for (const std::string& f : files) unlink(f.c_str());
  return 0;
}
