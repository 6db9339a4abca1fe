#pragma once
// Reading a file whole, for tests that compare outputs with files.

#include <fstream>
#include <sstream>
#include <string>

namespace pipescope::testing {

// The file's bytes, or "" if it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace pipescope::testing
