#include "file_browser.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <system_error>

namespace pipescope::app {

namespace {

namespace fs = std::filesystem;

struct Entries {
  std::vector<std::string> folders, files;
  std::string error;  // the folder could not be listed, and why
};

Entries list(const fs::path& folder, const std::vector<std::string>& extensions) {
  Entries out;
  std::error_code ec;
  fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    out.error = ec.message();
    return out;
  }
  for (const fs::directory_entry& e : it) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.front() == '.') continue;  // hidden, as file managers do
    std::error_code type_ec;
    if (e.is_directory(type_ec)) {
      out.folders.push_back(name);
    } else if (std::any_of(extensions.begin(), extensions.end(),
                           [&](const std::string& ext) { return e.path().extension() == ext; })) {
      out.files.push_back(name);
    }
  }
  std::sort(out.folders.begin(), out.folders.end());
  std::sort(out.files.begin(), out.files.end());
  return out;
}

}  // namespace

std::optional<std::string> file_browser(FileBrowser& b) {
  if (b.request_open) {
    b.request_open = false;
    if (b.folder.empty()) b.folder = fs::current_path();
    ImGui::OpenPopup(b.title.c_str());
  }
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 32, ImGui::GetFontSize() * 26), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal(b.title.c_str())) {
    b.name_field.reset();
    return std::nullopt;
  }
  std::optional<std::string> chosen;
  ImGui::TextWrapped("%s", b.folder.string().c_str());
  const Entries entries = list(b.folder, b.extensions);
  const float list_height = -ImGui::GetFrameHeightWithSpacing() * 2.2f;
  if (ImGui::BeginChild("entries", ImVec2(0, list_height), true)) {
    if (b.folder.has_parent_path() && b.folder != b.folder.root_path() && ImGui::Selectable("../")) {
      b.folder = b.folder.parent_path();
    }
    for (const std::string& f : entries.folders) {
      if (ImGui::Selectable((f + "/").c_str())) b.folder /= f;
    }
    for (const std::string& f : entries.files) {
      if (ImGui::Selectable(f.c_str(), f == b.name, ImGuiSelectableFlags_AllowDoubleClick)) {
        b.name = f;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) chosen = (b.folder / f).string();
      }
    }
    if (!entries.error.empty()) ImGui::TextColored(ImVec4(0.85f, 0.1f, 0.1f, 1.0f), "%s", entries.error.c_str());
  }
  ImGui::EndChild();
  ImGui::SetNextItemWidth(-1.0f);
  // Typing goes to the name at once: a path can be typed without a click.
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool entered = ImGui::InputText("##name", &b.name, ImGuiInputTextFlags_EnterReturnsTrue);
  const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
  b.name_field = glm::vec4(lo.x, lo.y, hi.x, hi.y);
  const bool ok = ImGui::Button(b.save ? "Save" : "Open");
  if ((ok || entered) && !b.name.empty()) {
    // A typed name may be a path of its own, absolute or relative to the folder shown.
    const fs::path typed(b.name);
    chosen = (typed.is_absolute() ? typed : b.folder / typed).string();
  }
  ImGui::SameLine();
  if (b.folders && ImGui::Button("Open this folder")) chosen = b.folder.string();
  if (b.folders) ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  if (chosen) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return chosen;
}

}  // namespace pipescope::app
