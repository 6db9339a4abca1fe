#pragma once
// Writes a file whole or not at all: the text goes to a temporary file beside
// the target, which is renamed over it once written, so an interrupted or
// failed write never leaves half a session or trace behind.

#include <stdexcept>
#include <string>
#include <string_view>

namespace pipescope::app {

// Throws std::runtime_error "PATH: cannot be written: reason"; nothing is left.
void write_whole_file(const std::string& path, std::string_view text);

}  // namespace pipescope::app
