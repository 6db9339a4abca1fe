#pragma once
// What the panels share: remembering where the last ImGui item was drawn,
// by name (the explorer logs these rectangles with --log-state, so drivers
// aim at widgets), and the colour of errors.

#include <imgui.h>

#include <string>

#include "explorer_state.hpp"

namespace pipescope::app {

// Errors the panels show, in one red.
inline const ImVec4 kErrorColour{0.85f, 0.1f, 0.1f, 1.0f};

inline void remember(WidgetRects& rects, const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  rects[name] = glm::vec4(a.x, a.y, b.x, b.y);
}

}  // namespace pipescope::app
