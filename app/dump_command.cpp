#include "dump_command.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "pipescope/scene.hpp"
#include "pipescope/state_dump.hpp"

namespace pipescope::app {

int run_dump(const DumpOptions& options) {
  const Scene scene(options.params);
  const Layout& layout = scene.layout();
  const Timeline& timeline = scene.timeline();
  if (options.output == "-") {
    write_state_dump(std::cout, layout, timeline);
    std::cout.flush();
    return std::cout ? 0 : 1;
  }
  std::ofstream file(options.output, std::ios::binary);
  if (!file) {
    std::cerr << "pipescope: -o: cannot write " << options.output << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  write_state_dump(file, layout, timeline);
  file.close();
  if (!file) {
    std::cerr << "pipescope: -o: writing " << options.output << " failed: " << std::strerror(errno)
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace pipescope::app
