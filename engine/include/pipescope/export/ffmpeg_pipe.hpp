#pragma once
// The ffmpeg program as a child process: raw frames go to its standard
// input; what it prints goes to a temporary file, read back for errors.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pipescope {

struct FfmpegError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The path of `program` on PATH, if any.
std::optional<std::string> find_on_path(const std::string& program);

class FfmpegPipe {
 public:
  // Starts `ffmpeg args...`. Throws FfmpegError if it cannot start.
  explicit FfmpegPipe(const std::vector<std::string>& args);
  ~FfmpegPipe();  // kills a still-running ffmpeg
  FfmpegPipe(const FfmpegPipe&) = delete;
  FfmpegPipe& operator=(const FfmpegPipe&) = delete;

  // Writes all of `bytes`; false if ffmpeg stopped reading (it failed).
  bool write(const std::uint8_t* bytes, std::size_t size);
  // Closes its input and waits: ffmpeg's exit code (0 on success).
  int finish();
  // Stops it now (cancel, Ctrl-C).
  void kill();
  // The last lines ffmpeg printed, for error messages.
  std::string output_tail(std::size_t max_lines = 4) const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string log_path_;
  int exit_code_ = -1;
};

}  // namespace pipescope
