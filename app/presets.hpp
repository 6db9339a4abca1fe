#pragma once
// The presets: session files shipped in assets/presets (installed to
// share/pipescope/presets), found relative to the running binary so an
// installed pipescope works from any folder.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pipescope::app {

struct Preset {
  std::string name;         // the file's name without .json: "zb-v"
  std::string description;  // the session's "description"
  std::filesystem::path path;
};

// The folder that holds the presets, or nothing if none is found.
std::optional<std::filesystem::path> presets_folder();
// Every preset, by name.
std::vector<Preset> list_presets();
// The preset's file; nothing if there is no preset by that name.
std::optional<std::filesystem::path> preset_path(const std::string& name);
// "notebook, 1f1b, ..." for messages.
std::string preset_names();

}  // namespace pipescope::app
