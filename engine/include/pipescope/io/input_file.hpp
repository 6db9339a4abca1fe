#pragma once
// Reading a file a user hands us (a session, a PNG someone sent, a schedule
// CSV): opened once, without blocking (a FIFO must not hang the program),
// checked to be a regular file (not a folder, device, FIFO or socket: the
// message says which), and read with its size cap enforced while reading,
// not by a size asked beforehand (/dev/zero has none; a file can grow).

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pipescope {

struct InputFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An open, regular input file (move-only; closed on destruction).
class InputFile {
 public:
  // Throws InputFileError "is a folder, not <what>", "is a FIFO (named
  // pipe), not a file", "cannot be read: <errno text>".
  InputFile(const std::string& path, std::string_view what);
  ~InputFile();
  InputFile(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Up to n bytes at the current position (fewer at the end).
  std::size_t read(char* out, std::size_t n);
  // Skips n bytes; false past the end of the file.
  bool skip(std::uint64_t n);
  std::uint64_t size() const { return size_; }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string path_, what_;
};

// The whole file, at most `cap` bytes; over it: "is 16777217 bytes; <what>
// is at most 16 MiB (16777216 bytes)". Messages start with the path.
std::string read_input_file(const std::string& path, std::size_t cap, std::string_view what);

// Text from a file as a message may quote it: control bytes and bytes past
// ASCII written \x1b (no terminal or window obeys an escape someone put in
// a file), and past `max_chars` its first and last few with the count
// between ("0F0,0F1,...(49,999,980 more bytes)...,3B7").
std::string printable(std::string_view text, std::size_t max_chars = 60);

// "16 MiB (16777216 bytes)": a cap as a person reads it, exact.
std::string size_limit_text(std::size_t cap);

}  // namespace pipescope
