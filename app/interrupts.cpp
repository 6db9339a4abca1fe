#include "interrupts.hpp"

namespace pipescope::app {

namespace {

// A signal handler can only reach static storage: this is the one flag.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_signal(int) { interrupted.store(true); }

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

InterruptWatch::InterruptWatch() {
  interrupted = false;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &action, &previous_[i]);
}

InterruptWatch::~InterruptWatch() {
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &previous_[i], nullptr);
}

const std::atomic<bool>& InterruptWatch::flag() { return interrupted; }

}  // namespace pipescope::app
