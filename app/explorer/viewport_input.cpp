#include "viewport_input.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cmath>

namespace pipescope::app {

InputResult handle_viewport_input(Camera& camera, TimelineView& timeline, glm::vec2 origin, glm::vec2 size,
                                  const std::vector<int>& keys) {
  InputResult r;
  const ImGuiIO& io = ImGui::GetIO();
  const glm::vec2 mouse(io.MousePos.x, io.MousePos.y);
  const bool over_view = mouse.x >= origin.x && mouse.y >= origin.y && mouse.x < origin.x + size.x &&
                         mouse.y < origin.y + size.y;

  if (!io.WantCaptureMouse) {
    // The frame a button goes down carries the motion from before the press
    // (all of it, when the pointer first enters a new window with the click):
    // it must not turn or move the camera.
    const bool pressed_now = ImGui::IsMouseClicked(ImGuiMouseButton_Left) ||
                             ImGui::IsMouseClicked(ImGuiMouseButton_Right) ||
                             ImGui::IsMouseClicked(ImGuiMouseButton_Middle);
    const glm::vec2 delta = pressed_now ? glm::vec2(0.0f) : glm::vec2(io.MouseDelta.x, io.MouseDelta.y);
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f) && (delta.x != 0 || delta.y != 0)) {
      camera.orbit(delta.x, delta.y);
      r.camera_changed = true;
    }
    if ((ImGui::IsMouseDragging(ImGuiMouseButton_Right, 0.0f) || ImGui::IsMouseDragging(ImGuiMouseButton_Middle, 0.0f)) &&
        (delta.x != 0 || delta.y != 0)) {
      camera.pan(delta.x, delta.y, size.y);
      r.camera_changed = true;
    }
    if (over_view && io.MouseWheel != 0.0f) {
      const glm::vec2 ndc((mouse.x - origin.x) / size.x * 2.0f - 1.0f, 1.0f - (mouse.y - origin.y) / size.y * 2.0f);
      camera.zoom_toward(std::pow(0.85f, io.MouseWheel), ndc, size.x / std::max(size.y, 1.0f));
      r.camera_changed = true;
    }
  }
  for (int key : keys) {
    // F12 works even while a field has focus: it types nothing.
    if (key == GLFW_KEY_F12) r.screenshot = true;
    if (io.WantCaptureKeyboard) continue;  // typing into a panel
    switch (key) {
      case GLFW_KEY_SPACE: timeline.toggle_play(); break;
      case GLFW_KEY_RIGHT: timeline.step(+1); break;
      case GLFW_KEY_LEFT: timeline.step(-1); break;
      case GLFW_KEY_HOME: timeline.to_start(); break;
      case GLFW_KEY_END: timeline.to_end(); break;
      case GLFW_KEY_R: r.reset = true; break;
      case GLFW_KEY_1: r.preset = ViewPreset::Notebook; break;
      case GLFW_KEY_2: r.preset = ViewPreset::Front; break;
      case GLFW_KEY_3: r.preset = ViewPreset::Top; break;
      case GLFW_KEY_4: r.preset = ViewPreset::Side; break;
      default: break;
    }
  }
  return r;
}

}  // namespace pipescope::app
