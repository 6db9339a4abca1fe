#pragma once
// Steps: a lazily run sequence of animation steps, the C++ twin of a Python
// generator that yields nothing. Each next() runs the body up to its next
// `co_yield step;` (one frame) and says whether it got there; code after the
// last yield runs on the call that then returns false, as in Python.
//
//   Steps fwd(...) { show(...); co_yield step; hide(...); }
//
// zip() and chain() have the semantics of Python's zip() and
// itertools.chain() over generators, including which bodies have run when one
// of them ends.

#include <coroutine>
#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

namespace pipescope {

struct StepMarker {};
inline constexpr StepMarker step{};

// `co_yield IdleFor{n};` is n steps that change nothing (Python's
// `for _ in range(n): yield`), at no cost per step: the body is not resumed
// until they have passed, and zip() does not even visit a generator while it
// idles. n <= 0 yields nothing.
struct IdleFor {
  std::int64_t steps;
};

class [[nodiscard]] Steps {
 public:
  struct promise_type {
    std::exception_ptr error;
    Steps get_return_object() { return Steps(Handle::from_promise(*this)); }
    // Like a Python generator, nothing runs until the first next().
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(StepMarker) noexcept { return {}; }
    struct IdleAwaiter {
      bool skip;
      bool await_ready() const noexcept { return skip; }
      void await_suspend(std::coroutine_handle<>) const noexcept {}
      void await_resume() const noexcept {}
    };
    IdleAwaiter yield_value(IdleFor idle) noexcept {
      if (idle.steps <= 0) return {true};
      idle_left = idle.steps - 1;  // this suspension is the first of them
      return {false};
    }
    std::int64_t idle_left = 0;  // steps still to pass before the body resumes
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Steps() = default;
  Steps(Steps&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Steps& operator=(Steps&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  // After a next() that returned true: how many more steps this generator
  // will pass without doing anything; skip(n) passes n of them at once.
  std::int64_t idle_steps() const { return handle_ && !handle_.done() ? handle_.promise().idle_left : 0; }
  void skip(std::int64_t n) { handle_.promise().idle_left -= n; }

  Steps(const Steps&) = delete;
  Steps& operator=(const Steps&) = delete;
  ~Steps() { reset(); }

  // Runs to the next yield: true if one was reached, false once finished.
  bool next() {
    if (!handle_ || handle_.done()) return false;
    if (handle_.promise().idle_left > 0) {
      --handle_.promise().idle_left;
      return true;
    }
    handle_.resume();
    if (handle_.promise().error) std::rethrow_exception(std::exchange(handle_.promise().error, {}));
    return !handle_.done();
  }

 private:
  explicit Steps(Handle h) : handle_(h) {}
  void reset() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

// Python's zip(*gens): each step advances every generator in order and stops
// at the first that is exhausted, leaving the ones before it advanced.
Steps zip(std::vector<Steps> gens);
// itertools.chain(*gens): all steps of the first, then the second, ...
Steps chain(std::vector<Steps> gens);
// Python's `for _ in range(n): yield`.
Steps idle(std::int64_t n);

}  // namespace pipescope
