#include "pipescope/export/numbered_path.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace pipescope {

std::string next_numbered_path(const std::string& folder, const std::string& prefix, const std::string& extension) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw std::runtime_error("folder " + folder + " does not exist");
  long highest = 0;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + extension.size() || name.rfind(prefix, 0) != 0 ||
        !name.ends_with(extension)) {
      continue;
    }
    const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - extension.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    highest = std::max(highest, std::stol(digits));
  }
  char number[32];
  std::snprintf(number, sizeof number, "%04ld", highest + 1);
  return (fs::path(folder) / (prefix + number + extension)).string();
}

}  // namespace pipescope
