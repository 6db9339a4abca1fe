#include "dump_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "input_checks.hpp"
#include "interrupts.hpp"
#include "output_file.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/state_dump.hpp"

namespace pipescope::app {

namespace {

// A dump is for comparing animations line by line: past this it is no
// longer something anyone reads or diffs.
constexpr std::uint64_t kMaxDumpBytes = std::uint64_t{8} << 30;

int to_standard_output(const Scene& scene, const InterruptWatch& interrupts, const StateDumpOptions& options) {
  errno = 0;
  const bool done = write_state_dump(std::cout, scene.layout(), scene.timeline(), &InterruptWatch::flag(), options) &&
                    std::cout.flush();
  if (interrupts.raised()) return kExitInterrupted;
  if (!done) {
    const int why = errno;
    std::cerr << "pipescope: dump: writing to standard output failed"
              << (why != 0 ? std::string(": ") + std::strerror(why) : std::string()) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int run_dump(const DumpOptions& options) {
  if (options.output != "-") {
    if (const std::string why = unwritable_reason("-o", options.output); !why.empty()) {
      std::cerr << "pipescope: " << why << "\n";
      return 2;
    }
  }
  if (options.layer_view && options.params.model != CostModel::Transformer) {
    std::cerr << "pipescope: --layer-view: shows a transformer's layer, but the model is the notebook's MLP: give "
                 "--model transformer (or a real preset)\n";
    return 2;
  }
  const Scene scene = options.layer_view ? Scene(options.params, kLayerView) : Scene(options.params);
  // Refused up front, naming its size, rather than filling a disk.
  if (const std::uint64_t bytes = state_dump_frames_bytes(scene.layout(), scene.timeline()); bytes > kMaxDumpBytes) {
    std::cerr << fmt::format("pipescope: dump: it would write {:.1f} GiB ({} frames of up to {} objects); the limit is "
                             "{} GiB: lower --microbatches, --dp or --layers\n",
                             static_cast<double>(bytes) / (1u << 30), scene.timeline().last_frame() + 1,
                             scene.layout().size(), kMaxDumpBytes >> 30);
    return 2;
  }
  const InterruptWatch interrupts;
  const StateDumpOptions dump_options{options.owners};
  if (options.output == "-") return to_standard_output(scene, interrupts, dump_options);

  // Whole or not at all (output_file.hpp): an interrupted or failed dump
  // leaves what was there, and a device is written in place.
  try {
    OutputFile out(options.output);
    bool done = false;
    int why = 0;
    {
      std::ofstream file(out.writing(), std::ios::binary | std::ios::trunc);
      errno = 0;
      done = file && write_state_dump(file, scene.layout(), scene.timeline(), &InterruptWatch::flag(), dump_options);
      file.close();
      done = done && !file.fail();
      why = errno;
    }
    if (interrupts.raised()) {
      std::cerr << "pipescope: interrupted: " << options.output << " was not written\n";
      return kExitInterrupted;
    }
    if (!done) {
      std::cerr << "pipescope: -o: writing " << options.output << " failed"
                << (why != 0 ? std::string(": ") + std::strerror(why) : std::string()) << " (nothing was written)\n";
      return 1;
    }
    out.commit();
  } catch (const OutputError& e) {
    std::cerr << "pipescope: -o: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace pipescope::app
