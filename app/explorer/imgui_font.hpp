#pragma once
// The panels' font: the labels' font file, or the built-in DejaVu Sans when
// none is given, so the panels and exported lanes look the same everywhere.

#include <imgui.h>

#include <string>

#include "pipescope/render/font.hpp"

namespace pipescope::app {

inline ImFont* add_panel_font(ImGuiIO& io, const std::string& font_file, float pixel_size) {
  ImFont* font = nullptr;
  if (font_file.empty()) {
    const auto bytes = embedded_font();
    ImFontConfig config;
    config.FontDataOwnedByAtlas = false;  // the bytes live in the binary
    // ImGui takes a non-const pointer but only reads the data it does not own.
    font = io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                                          pixel_size, &config);
  } else {
    font = io.Fonts->AddFontFromFileTTF(font_file.c_str(), pixel_size);
  }
  return font != nullptr ? font : io.Fonts->AddFontDefault();
}

}  // namespace pipescope::app
