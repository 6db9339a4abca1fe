#pragma once
// Ctrl-C, kill and a closed terminal (SIGINT, SIGTERM, SIGHUP) become a
// flag that long operations (video export, the state dump) poll, so they stop
// cleanly: partial files removed, ffmpeg stopped, exit code 130.

#include <atomic>
#include <csignal>

namespace pipescope::app {

class InterruptWatch {
 public:
  InterruptWatch();   // from now on the signals set the flag instead of killing
  ~InterruptWatch();  // the previous handlers again
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // The flag itself, for code that polls it (it lives as long as the program).
  static const std::atomic<bool>& flag();
  bool raised() const { return flag().load(); }

 private:
  struct sigaction previous_[3];
};

inline constexpr int kExitInterrupted = 130;

}  // namespace pipescope::app
