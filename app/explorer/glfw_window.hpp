#pragma once
// The explorer's window: GLFW with an OpenGL 3.3 core context, made current
// and with GL functions loaded. Failing to get either is one line
// (WindowError) that says what to do instead.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <glm/glm.hpp>

struct GLFWwindow;

namespace pipescope::app {

struct WindowError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class GlfwWindow {
 public:
  GlfwWindow(int width, int height, const std::string& title);
  ~GlfwWindow();
  GlfwWindow(const GlfwWindow&) = delete;
  GlfwWindow& operator=(const GlfwWindow&) = delete;

  GLFWwindow* handle() const { return window_; }
  bool should_close() const;
  glm::ivec2 framebuffer_size() const;  // pixels (HiDPI: larger than the window)
  glm::ivec2 window_size() const;       // screen coordinates, as mouse positions
  float content_scale() const;          // 1 normally, 2 on a HiDPI screen
  bool minimised() const;
  void swap_buffers();
  // Blocks until an event arrives, or up to `seconds` (< 0: no limit).
  void wait_events(double seconds);
  void poll_events();
  void set_title(const std::string& title);

  // Key presses (and repeats) since the last call, in order. Kept here, not
  // read from ImGui's key state, because a quick tap can press and release
  // between two frames and ImGui 1.86 would never see it.
  // A key pressed with Ctrl comes as key | kCtrl, so plain-key shortcuts
  // never fire on Ctrl+key.
  static constexpr int kCtrl = 1 << 16;
  std::vector<int> take_pressed_keys() { return std::exchange(pressed_keys_, {}); }
  // Files dropped on the window since the last call.
  std::vector<std::string> take_dropped_paths() { return std::exchange(dropped_paths_, {}); }

 private:
  static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);
  static void on_drop(GLFWwindow* window, int count, const char** paths);
  std::vector<std::string> dropped_paths_;
  GLFWwindow* window_ = nullptr;
  std::vector<int> pressed_keys_;
};

}  // namespace pipescope::app
