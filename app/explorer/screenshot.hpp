#pragma once
#include <string>

#include "pipescope/export/numbered_path.hpp"

namespace pipescope::app {

// pipescope-0001.png, pipescope-0002.png, ... in `folder`.
inline std::string next_screenshot_path(const std::string& folder) {
  return next_numbered_path(folder, "pipescope-", ".png");
}

}  // namespace pipescope::app
