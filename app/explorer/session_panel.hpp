#pragma once
// The Session section of the explorer's side panel: open, save and save-as
// a session, the recent files, the presets. It only asks (UiActions); the
// explorer reads and writes the files.

#include <map>
#include <string>
#include <vector>

#include "explorer_state.hpp"
#include "file_browser.hpp"
#include "presets.hpp"

namespace pipescope::app {

// Which side-panel sections are open; `restore` asks the panel to apply
// `open` on its next frame (after a session was loaded).
struct Sections {
  std::map<std::string, bool> open;
  bool restore = false;
};

// Sessions opened or saved lately, newest first, kept in
// $XDG_CONFIG_HOME/pipescope/recent (else ~/.config/pipescope/recent).
class RecentFiles {
 public:
  static constexpr std::size_t kMax = 8;
  // Reads the list; a missing file is an empty list.
  static RecentFiles load();
  const std::vector<std::string>& paths() const { return paths_; }
  // Puts `path` first and writes the list; the reason if it could not be written.
  std::string remember(const std::string& path);

 private:
  std::vector<std::string> paths_;
};

struct SessionPanel {
  std::string path;    // the session file in use (Ctrl+S writes it); empty: none yet
  std::string status;  // "Saved ...", "Opened ...", or why not
  std::vector<std::string> warnings;  // of the last session opened
  RecentFiles recent = RecentFiles::load();
  std::vector<Preset> presets = list_presets();
  FileBrowser open_browser{"Open a session", {".json", ".png"}};
  FileBrowser save_browser{"Save the session", {".json"}, true};
  // A session that names a file outside its folder, waiting for the user to
  // say whether to open it anyway (empty: none asked).
  std::string untrusted_session, untrusted_file;
};

void session_section(SessionPanel& panel, UiActions& actions, WidgetRects& rects);

}  // namespace pipescope::app
