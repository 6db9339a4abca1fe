#pragma once
// A small file chooser in Dear ImGui (1.86 has none): folders, then the files
// with the wanted extensions, a name field, Open/Save and Cancel. It only
// picks a path; what the path is used for is the caller's business.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <glm/glm.hpp>

namespace pipescope::app {

struct FileBrowser {
  FileBrowser(std::string title_, std::vector<std::string> extensions_, bool save_ = false, bool folders_ = false)
      : title(std::move(title_)), extensions(std::move(extensions_)), save(save_), folders(folders_) {}
  std::string title;                    // also the popup's id: unique per browser
  std::vector<std::string> extensions;  // ".csv"; a file matches any of them
  bool save = false;                    // a name may be typed for a file that does not exist yet
  bool folders = false;                 // the folder shown may be chosen too ("Open this folder")
  std::filesystem::path folder;         // empty: the working directory
  std::string name;                     // the file name field
  bool request_open = false;            // set to show the browser on the next frame
  // Where the name field is while the browser is open (window coordinates:
  // x0, y0, x1, y1), for --log-state and scripted tests.
  std::optional<glm::vec4> name_field;
};

// Draws the browser if it is open; the chosen path on the frame it is chosen.
std::optional<std::string> file_browser(FileBrowser& browser);

}  // namespace pipescope::app
