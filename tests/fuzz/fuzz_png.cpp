// libFuzzer target: reading a PNG (pipescope reads its own screenshots back;
// sessions open them, text chunks only, headers that lie included). Any
// input is an image or its text, or a clean error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "pipescope/export/png.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // read_png takes a path: an in-memory file gives it one.
  const int fd = memfd_create("fuzz.png", 0);
  if (fd < 0) return 0;
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  try {
    pipescope::PngText text;
    (void)pipescope::read_png("/proc/self/fd/" + std::to_string(fd), &text);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)pipescope::read_png_text("/proc/self/fd/" + std::to_string(fd), 1u << 20);
  } catch (const std::runtime_error&) {
  }
  close(fd);
  return 0;
}
