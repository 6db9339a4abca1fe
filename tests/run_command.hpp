#pragma once
// Runs a shell command as a user would and collects what it printed.

#include <sys/wait.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <string>

namespace pipescope::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together, unless redirected
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A test name from command-line arguments: "--dp 0" -> "__dp_0".
inline std::string name_from_args(const std::string& args) {
  std::string name;
  for (char c : args) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

inline std::size_t line_count(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace pipescope::testing
