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

#include "input_checks.hpp"
#include "interrupts.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/state_dump.hpp"

namespace pipescope::app {

namespace {

int to_standard_output(const Scene& scene, const InterruptWatch& interrupts) {
  errno = 0;
  const bool done = write_state_dump(std::cout, scene.layout(), scene.timeline(), &InterruptWatch::flag()) &&
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
  const Scene scene(options.params);
  const InterruptWatch interrupts;
  if (options.output == "-") return to_standard_output(scene, interrupts);

  // Written beside the target under a temporary name and renamed when whole,
  // so an interrupted or failed dump never leaves a partial file behind.
  namespace fs = std::filesystem;
  const fs::path target(options.output);
  std::string temp = (target.has_parent_path() ? target.parent_path() / "" : fs::path()).string() + "." +
                     target.filename().string() + ".partial-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    std::cerr << "pipescope: -o: cannot write " << options.output << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  close(fd);
  bool done = false;
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    errno = 0;
    done = file && write_state_dump(file, scene.layout(), scene.timeline(), &InterruptWatch::flag());
    file.close();
    done = done && !file.fail();
  }
  const int why = errno;
  if (interrupts.raised()) {
    fs::remove(temp);
    std::cerr << "pipescope: interrupted: " << options.output << " was not written\n";
    return kExitInterrupted;
  }
  if (!done) {
    fs::remove(temp);
    std::cerr << "pipescope: -o: writing " << options.output << " failed"
              << (why != 0 ? std::string(": ") + std::strerror(why) : std::string()) << " (nothing was written)\n";
    return 1;
  }
  // mkstemp makes the file private; a dump is an ordinary file.
  const mode_t mask = umask(0);
  umask(mask);
  chmod(temp.c_str(), 0666 & ~mask);
  if (std::rename(temp.c_str(), options.output.c_str()) != 0) {
    const int e = errno;
    fs::remove(temp);
    std::cerr << "pipescope: -o: cannot write " << options.output << ": " << std::strerror(e) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace pipescope::app
