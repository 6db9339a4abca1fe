#pragma once
// Writing what the user names with -o (or Save): whole or not at all, and
// never at the cost of what was there.
// - A new file, or an existing regular one, is written to a temporary file
//   beside it and renamed over it once whole: an interrupted or failed write
//   leaves the old file (or nothing) and no partial one.
// - A symbolic link is followed: its target is what gets written (the link
//   stays a link).
// - Anything else (a device such as /dev/null or /dev/stdout, a FIFO) is
//   written in place and never removed or replaced.

#include <stdexcept>
#include <string>
#include <string_view>

namespace pipescope::app {

struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  // Throws OutputError "PATH: cannot be written: reason".
  explicit OutputFile(const std::string& path);
  ~OutputFile();  // not committed: the temporary is removed; the target is never touched
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Where to write now: the temporary file, or the device itself.
  const std::string& writing() const { return writing_; }
  // Makes the written file the target's (renames the temporary over it).
  // Throws OutputError; nothing is left behind then.
  void commit();

 private:
  std::string path_, target_, writing_;
  bool in_place_ = false, committed_ = false;
};

// Flushes standard output; if anything written to it was lost (a full disk,
// a closed pipe), says so for `command` on standard error and returns 1, else 0.
int finish_standard_output(const char* command);

// Writes `text` through an OutputFile. Throws OutputError.
void write_whole_file(const std::string& path, std::string_view text);

}  // namespace pipescope::app
