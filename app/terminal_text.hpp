#pragma once
// What pipescope writes to standard output and standard error carries no
// terminal control sequence, whatever a user's input held: a trace file named
// "r\e]0;owned\a\e[2J1.json", a session's value, a flag's argument. Every
// message quotes its input as it is, and this one filter at the boundary
// writes control bytes as \x1b text, so no code path can forget it.

#include <memory>
#include <ostream>
#include <streambuf>

namespace pipescope::app {

// A stream buffer that writes through to another: C0 controls (but newline
// and tab), DEL and UTF-8's C1 controls (U+0080..U+009F) as \xNN; all else as
// is, UTF-8 included.
class TerminalSafeBuffer : public std::streambuf {
 public:
  explicit TerminalSafeBuffer(std::streambuf* out) : out_(out) {}

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool put(unsigned char c);
  std::streambuf* out_;
  bool after_c2_ = false;  // a 0xC2 lead byte held back: the next byte says whether it starts a C1 control
};

// For its lifetime, std::cout and std::cerr write through TerminalSafeBuffers.
class TerminalSafeStandardStreams {
 public:
  TerminalSafeStandardStreams();
  ~TerminalSafeStandardStreams();
  TerminalSafeStandardStreams(const TerminalSafeStandardStreams&) = delete;
  TerminalSafeStandardStreams& operator=(const TerminalSafeStandardStreams&) = delete;

 private:
  std::streambuf* cout_original_;
  std::streambuf* cerr_original_;
  std::unique_ptr<TerminalSafeBuffer> cout_, cerr_;
};

}  // namespace pipescope::app
