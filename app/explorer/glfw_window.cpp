#include "glfw_window.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cstdlib>

#include "pipescope/gl/headless_context.hpp"

namespace pipescope::app {

namespace {
std::string last_glfw_error() {
  const char* text = nullptr;
  glfwGetError(&text);
  return text != nullptr ? text : "unknown GLFW error";
}
}  // namespace

GlfwWindow::GlfwWindow(int width, int height, const std::string& title) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((display == nullptr || *display == '\0') && (wayland == nullptr || *wayland == '\0')) {
    throw WindowError(
        "no display to open a window on (DISPLAY is not set); without one, draw images with "
        "`pipescope render --frame K -o out.png`");
  }
  if (glfwInit() != GLFW_TRUE) {
    throw WindowError("cannot open the display " + std::string(display != nullptr ? display : "") + " (" +
                      last_glfw_error() + "); without one, use `pipescope render --frame K -o out.png`");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (window_ == nullptr) {
    const std::string why = last_glfw_error();
    glfwTerminate();
    throw WindowError("no OpenGL 3.3 core context for a window (" + why +
                      "); pipescope needs OpenGL 3.3 (on Debian: apt-get install libgl1-mesa-dri)");
  }
  // Installed before ImGui's backend, which chains to it.
  glfwSetWindowUserPointer(window_, this);
  glfwSetKeyCallback(window_, &GlfwWindow::on_key);
  glfwSetDropCallback(window_, &GlfwWindow::on_drop);
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(1);
  try {
    gl::load_gl_functions(reinterpret_cast<gl::GlProcLoader>(glfwGetProcAddress), "the window's OpenGL");
  } catch (const gl::ContextError& e) {
    glfwDestroyWindow(window_);
    glfwTerminate();
    throw WindowError(e.what());
  }
}

void GlfwWindow::on_key(GLFWwindow* window, int key, int, int action, int mods) {
  if (action == GLFW_PRESS || action == GLFW_REPEAT) {
    static_cast<GlfwWindow*>(glfwGetWindowUserPointer(window))
        ->pressed_keys_.push_back(key | ((mods & GLFW_MOD_CONTROL) ? kCtrl : 0));
  }
}

void GlfwWindow::on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* self = static_cast<GlfwWindow*>(glfwGetWindowUserPointer(window));
  for (int i = 0; i < count; ++i) self->dropped_paths_.emplace_back(paths[i]);
}

GlfwWindow::~GlfwWindow() {
  glfwDestroyWindow(window_);
  glfwTerminate();
}

void GlfwWindow::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }

bool GlfwWindow::should_close() const { return glfwWindowShouldClose(window_) == GLFW_TRUE; }

glm::ivec2 GlfwWindow::framebuffer_size() const {
  glm::ivec2 s;
  glfwGetFramebufferSize(window_, &s.x, &s.y);
  return s;
}

glm::ivec2 GlfwWindow::window_size() const {
  glm::ivec2 s;
  glfwGetWindowSize(window_, &s.x, &s.y);
  return s;
}

float GlfwWindow::content_scale() const {
  float x = 1.0f, y = 1.0f;
  glfwGetWindowContentScale(window_, &x, &y);
  return std::max(x, y);
}

bool GlfwWindow::minimised() const {
  const glm::ivec2 s = framebuffer_size();
  return glfwGetWindowAttrib(window_, GLFW_ICONIFIED) == GLFW_TRUE || s.x == 0 || s.y == 0;
}

void GlfwWindow::swap_buffers() { glfwSwapBuffers(window_); }

void GlfwWindow::wait_events(double seconds) {
  if (seconds < 0) {
    glfwWaitEvents();
  } else {
    glfwWaitEventsTimeout(seconds);
  }
}

void GlfwWindow::poll_events() { glfwPollEvents(); }

}  // namespace pipescope::app
