#include "session_panel.hpp"

#include "imgui_rects.hpp"

#include <imgui.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace pipescope::app {

namespace {

namespace fs = std::filesystem;

fs::path recent_store() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return fs::path(xdg) / "pipescope" / "recent";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".config" / "pipescope" / "recent";
  return {};
}


// The browsers draw whether or not the section is open (Ctrl+O, Ctrl+S).
void browsers(SessionPanel& s, UiActions& actions, WidgetRects& rects) {
  if (auto p = file_browser(s.open_browser)) actions.open_session = std::move(p);
  if (s.open_browser.name_field) rects["open:name"] = *s.open_browser.name_field;
  if (auto p = file_browser(s.save_browser)) actions.save_session = std::move(p);
  if (s.save_browser.name_field) rects["save:name"] = *s.save_browser.name_field;
}

// The question a session that reaches outside its folder gets: open it
// anyway (it may read that file), or not (nothing changes).
void trust_question(SessionPanel& s, UiActions& actions, WidgetRects& rects) {
  if (s.untrusted_session.empty()) return;
  if (!ImGui::IsPopupOpen("Open this session?")) ImGui::OpenPopup("Open this session?");
  if (!ImGui::BeginPopupModal("Open this session?", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::TextUnformatted(s.untrusted_session.c_str());
  ImGui::Text("names a schedule file outside its own folder:");
  ImGui::TextUnformatted(s.untrusted_file.c_str());
  ImGui::TextWrapped("Open it only if you trust whoever wrote it: it will read that file.");
  if (ImGui::Button("Open anyway")) {
    actions.open_session = s.untrusted_session;
    actions.open_trusted = true;
    s.untrusted_session.clear();
    ImGui::CloseCurrentPopup();
  }
  remember(rects, "trust:open");
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) {
    s.status = "Not opened: " + s.untrusted_session + " names a file outside its folder";
    s.untrusted_session.clear();
    ImGui::CloseCurrentPopup();
  }
  remember(rects, "trust:cancel");
  ImGui::EndPopup();
}

}  // namespace

RecentFiles RecentFiles::load() {
  RecentFiles r;
  const fs::path store = recent_store();
  if (store.empty()) return r;
  std::ifstream in(store);
  for (std::string line; std::getline(in, line) && r.paths_.size() < kMax;) {
    if (!line.empty()) r.paths_.push_back(line);
  }
  return r;
}

std::string RecentFiles::remember(const std::string& path) {
  const std::string absolute = fs::absolute(path).lexically_normal().string();
  std::erase(paths_, absolute);
  paths_.insert(paths_.begin(), absolute);
  if (paths_.size() > kMax) paths_.resize(kMax);
  const fs::path store = recent_store();
  if (store.empty()) return "no HOME or XDG_CONFIG_HOME to keep recent files in";
  std::error_code ec;
  fs::create_directories(store.parent_path(), ec);
  std::ofstream out(store, std::ios::trunc);
  for (const std::string& p : paths_) out << p << "\n";
  out.close();
  return out ? std::string() : "could not write " + store.string();
}

void session_section(SessionPanel& s, UiActions& actions, WidgetRects& rects) {
  trust_question(s, actions, rects);
  if (!ImGui::CollapsingHeader("Session", ImGuiTreeNodeFlags_DefaultOpen)) {
    browsers(s, actions, rects);
    return;
  }
  if (ImGui::Button("Open... (Ctrl+O)")) s.open_browser.request_open = true;
  remember(rects, "session:open");
  ImGui::SameLine();
  if (ImGui::Button("Save (Ctrl+S)")) {
    if (s.path.empty() || !s.path.ends_with(".json")) {
      s.save_browser.request_open = true;
    } else {
      actions.save_session = s.path;
    }
  }
  remember(rects, "session:save");
  ImGui::SameLine();
  if (ImGui::Button("Save as...")) s.save_browser.request_open = true;
  remember(rects, "session:save-as");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Parameters, schedule, camera, frame, view, compare and panels");

  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::BeginCombo("##presets", "Presets", ImGuiComboFlags_HeightLargest)) {
    for (const Preset& p : s.presets) {
      if (ImGui::Selectable(p.name.c_str())) actions.open_session = p.path.string();
      remember(rects, "preset:" + p.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", p.description.c_str());
    }
    if (s.presets.empty()) ImGui::TextUnformatted("No presets found (share/pipescope/presets).");
    ImGui::EndCombo();
  }
  remember(rects, "session:presets");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::BeginCombo("##recent", "Recent", ImGuiComboFlags_HeightLargest)) {
    for (const std::string& p : s.recent.paths()) {
      if (ImGui::Selectable(fs::path(p).filename().string().c_str())) actions.open_session = p;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", p.c_str());
    }
    if (s.recent.paths().empty()) ImGui::TextUnformatted("Nothing opened or saved yet.");
    ImGui::EndCombo();
  }
  if (!s.path.empty()) ImGui::TextDisabled("%s", fs::path(s.path).filename().string().c_str());
  if (!s.status.empty() || !s.warnings.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    if (!s.status.empty()) ImGui::TextUnformatted(s.status.c_str());
    for (const std::string& w : s.warnings) ImGui::TextColored(ImVec4(0.7f, 0.45f, 0.0f, 1.0f), "%s", w.c_str());
    ImGui::PopTextWrapPos();
  }
  browsers(s, actions, rects);
}

}  // namespace pipescope::app
