#include "presets.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pipescope::app {

namespace fs = std::filesystem;

std::optional<fs::path> presets_folder() {
  std::vector<fs::path> candidates;
  // PIPESCOPE_DATA_DIR first: packagers and tests point it elsewhere.
  if (const char* dir = std::getenv("PIPESCOPE_DATA_DIR"); dir && *dir) candidates.push_back(fs::path(dir) / "presets");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  // Installed (prefix/bin/pipescope), or in a build tree laid out the same
  // way (build/app/pipescope, build/share/pipescope/presets): nothing else.
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "pipescope" / "presets");
  for (const fs::path& c : candidates) {
    if (fs::is_directory(c, ec)) return c;
  }
  return std::nullopt;
}

std::vector<Preset> list_presets() {
  std::vector<Preset> out;
  const auto folder = presets_folder();
  if (!folder) return out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(*folder, ec)) {
    if (e.path().extension() != ".json") continue;
    Preset p{e.path().stem().string(), "", e.path()};
    std::ifstream in(e.path());
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("description") && j["description"].is_string()) {
      p.description = j["description"].get<std::string>();
    }
    out.push_back(std::move(p));
  }
  // The notebook's scene first (it is the default), then by name.
  std::sort(out.begin(), out.end(), [](const Preset& a, const Preset& b) {
    return std::make_pair(a.name != "notebook", a.name) < std::make_pair(b.name != "notebook", b.name);
  });
  return out;
}

std::optional<fs::path> preset_path(const std::string& name) {
  for (const Preset& p : list_presets()) {
    if (p.name == name) return p.path;
  }
  return std::nullopt;
}

std::string preset_names() {
  std::string out;
  for (const Preset& p : list_presets()) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "(no presets found: is share/pipescope/presets installed?)" : out;
}

}  // namespace pipescope::app
