#include "session_paths.hpp"

#include <algorithm>

namespace pipescope::app {

namespace fs = std::filesystem;

bool inside_folder(const fs::path& file) {
  if (file.is_absolute() || file.has_root_name()) return false;
  const fs::path normal = file.lexically_normal();
  return normal.empty() || *normal.begin() != "..";
}

bool resolves_inside_folder(const fs::path& folder, const fs::path& named) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(folder.empty() ? fs::path(".") : folder, ec);
  if (ec) return true;
  auto under_root = [&](const fs::path& path) {
    std::error_code resolve_error;
    const fs::path real = fs::weakly_canonical(path, resolve_error);
    if (resolve_error) return true;
    return std::mismatch(root.begin(), root.end(), real.begin(), real.end()).first == root.end();
  };
  const fs::path target = folder / named;
  if (!under_root(target)) return false;
  if (fs::is_directory(target, ec)) {
    for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
      if (!under_root(it->path())) return false;
    }
  }
  return true;
}

}  // namespace pipescope::app
