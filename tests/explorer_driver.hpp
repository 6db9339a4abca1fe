#pragma once
// Drives the explorer as a person would, for the end-to-end tests: starts it
// with --log-state, reads its state and widget lines, and moves the mouse and
// keys with xdotool (ImGui 1.86 polls input once a frame: presses are held).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "run_command.hpp"

namespace pipescope::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline void xdo(const std::string& args) {
  const auto r = run_command("xdotool " + args + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << "xdotool " << args << ": " << r.output;
}

struct Rect {
  float x0, y0, x1, y1;
};

class ExplorerSession {
 public:
  explicit ExplorerSession(std::vector<std::string> extra = {}, const std::string& tag = "") {
    dir_ = fs::temp_directory_path() / ("pipescope_e2e_" + std::to_string(getpid()) + tag);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    log_ = (dir_ / "log.txt").string();
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      const std::string shots = dir_.string();
      setenv("XDG_CONFIG_HOME", (dir_ / "config").c_str(), 1);  // recent files stay in the test's folder
      std::vector<std::string> args = {PIPESCOPE_EXE, "--log-state", "--window", "1600x1000", "--screenshot-dir", shots};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(PIPESCOPE_EXE, argv.data());
      _exit(127);
    }
  }
  ~ExplorerSession() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!::testing::Test::HasFailure()) fs::remove_all(dir_);
  }

  std::vector<std::string> lines() const {
    std::ifstream in(log_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }

  // key=value pairs of the latest "state" line.
  std::map<std::string, std::string> state() const {
    std::map<std::string, std::string> out;
    const auto all = lines();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->rfind("state ", 0) != 0) continue;
      std::istringstream words(*it);
      for (std::string w; words >> w;) {
        const auto eq = w.find('=');
        if (eq != std::string::npos) out[w.substr(0, eq)] = w.substr(eq + 1);
      }
      break;
    }
    return out;
  }
  // A key missing from the log fails the test: no stand-in value can make a check pass.
  double number(const std::string& key) const {
    const auto s = state();
    auto it = s.find(key);
    if (it == s.end()) {
      ADD_FAILURE() << "the explorer's state line has no '" << key << "'";
      return std::numeric_limits<double>::quiet_NaN();
    }
    return std::stod(it->second);
  }

  // Where a widget is now: the explorer logs the whole set after a "widgets"
  // line whenever it changes, so only the latest set counts.
  std::optional<Rect> widget(const std::string& name) const {
    std::optional<Rect> found;
    for (const auto& l : lines()) {
      if (l == "widgets") found.reset();
      std::istringstream words(l);
      std::string tag, n;
      Rect r{};
      if (words >> tag >> n >> r.x0 >> r.y0 >> r.x1 >> r.y1 && tag == "widget" && n == name) found = r;
    }
    return found;
  }

  // Frames the explorer has drawn (its state line's count).
  std::uint64_t drawn() const {
    const auto s = state();
    const auto it = s.find("drawn");
    return it == s.end() ? 0 : std::stoull(it->second);
  }
  // Waits until `n` more frames than `since` are drawn: input reaches ImGui
  // 1.86 only in a frame, so a press is held, or a move lands, for frames,
  // not for a guessed time. The first of them may have begun before the
  // input (its events were already read): only n - 1 surely saw it. After
  // any input the explorer draws a few frames (settling), so this returns
  // promptly; false if none came.
  bool frames_after(std::uint64_t since, int n) const {
    return wait_until([&] { return drawn() >= since + static_cast<std::uint64_t>(n); }, 5s);
  }
  // Input given at `since` (frames) and `at` (time) settles: `n` frames drawn
  // since, and at least `floor` of time, for the GLFW backend's polling of
  // the pointer and buttons (frames alone proved too few on a loaded
  // sanitizer build: a combo's item was missed once in a few runs).
  void settle(std::uint64_t since, std::chrono::steady_clock::time_point at, int n,
              std::chrono::milliseconds floor) const {
    frames_after(since, n);
    std::this_thread::sleep_until(at + floor);
  }

  // Polls until `done` holds (the explorer reacts within a frame or two).
  template <typename F>
  bool wait_until(F done, std::chrono::milliseconds limit = 10s) const {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done();
  }

  bool running() const { return waitpid(pid_, nullptr, WNOHANG) == 0; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::string log_;
  pid_t pid_ = -1;
};

// Moves the pointer to window coordinates (the window sits at the screen's
// origin under a bare X server; its position is added anyway).
struct Pointer {
  int wx = 0, wy = 0;
  void move(float x, float y) const {
    xdo("mousemove " + std::to_string(wx + static_cast<int>(x)) + " " + std::to_string(wy + static_cast<int>(y)));
  }
};

// A hand on the mouse and keys, at widgets the explorer logs.
struct Hand {
  ExplorerSession& app;
  Pointer pointer;

  // An error line under a field moves the widgets below it: wait for the layout to settle.
  Rect settled(const std::string& name) const {
    Rect r = *app.widget(name);
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(250ms);
      const Rect again = *app.widget(name);
      if (again.y0 == r.y0 && again.x0 == r.x0) break;
      r = again;
    }
    return r;
  }
  // A press and release a few frames apart, as a hand would.
  void click(const std::string& name, bool in_side_panel = true) const {
    Rect r = settled(name);
    const Rect timeline = *app.widget("timeline");
    // Below the side panel's visible part: scroll it into view, as a hand would.
    for (int i = 0; in_side_panel && i < 10 && r.y1 >= timeline.y0; ++i) {
      pointer.move(170, timeline.y0 - 40);
      xdo("click 5");
      r = settled(name);
    }
    if (in_side_panel) {
      EXPECT_LT(r.y1, timeline.y0) << name << " lies below the side panel, where no click reaches it";
    }
    const auto before_move = app.drawn();
    const auto moved = std::chrono::steady_clock::now();
    pointer.move(r.x0 + 6, (r.y0 + r.y1) / 2);
    app.settle(before_move, moved, 2, 200ms);  // hovered first, as a hand would: whole frames saw the move
    hold_button();
  }
  // The left button pressed for a few frames, then released.
  void hold_button() const {
    const auto before = app.drawn();
    const auto pressed = std::chrono::steady_clock::now();
    xdo("mousedown 1");
    app.settle(before, pressed, 2, 150ms);
    const auto held = app.drawn();
    const auto released = std::chrono::steady_clock::now();
    xdo("mouseup 1");
    app.settle(held, released, 2, 50ms);  // the release is seen before anything else happens
  }
  void type_into(const std::string& widget, const std::string& text) const {
    const Rect r = settled(widget);
    pointer.move(r.x0 + 12, (r.y0 + r.y1) / 2);
    const auto before = app.drawn();
    const auto clicked = std::chrono::steady_clock::now();
    xdo("click 1");
    app.settle(before, clicked, 2, 250ms);  // the field has focus
    // ImGui 1.86 polls key state once a frame: ctrl+a is held for frames,
    // however slow the build; typed characters are queued anyway.
    press("ctrl+a");
    xdo("type --delay 60 " + text);
  }
  // Keys held long enough for ImGui 1.86, which polls them once a frame.
  void press(const std::string& keys) const {
    const auto before = app.drawn();
    const auto down = std::chrono::steady_clock::now();
    xdo("keydown " + keys);
    app.settle(before, down, 2, 250ms);
    const auto held = app.drawn();
    const auto up = std::chrono::steady_clock::now();
    xdo("keyup " + keys);
    app.settle(held, up, 2, 100ms);
  }
};

// The explorer's window on the screen, once it has drawn.
inline Pointer window_pointer() {
  const auto geometry = run_command("xdotool search --sync --name '^pipescope$' getwindowgeometry --shell");
  Pointer pointer;
  for (std::istringstream in(geometry.output); in;) {
    std::string line;
    std::getline(in, line);
    if (line.rfind("X=", 0) == 0) pointer.wx = std::stoi(line.substr(2));
    if (line.rfind("Y=", 0) == 0) pointer.wy = std::stoi(line.substr(2));
  }
  return pointer;
}

}  // namespace pipescope::testing
