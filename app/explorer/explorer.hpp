#pragma once
// `pipescope` with no command: the interactive explorer.

#include <string>

#include <optional>

#include "pipescope/model/params.hpp"
#include "session.hpp"

namespace pipescope::app {

struct ExplorerOptions {
  Params params;
  std::optional<Session> session;    // --session/--preset: camera, frame, view, compare, layout too
  std::string font;                  // empty: DejaVu Sans through fontconfig
  std::string screenshot_folder = ".";
  int width = 1600, height = 1000;   // window size
  bool log_state = false;            // one line on stdout per change (for scripted tests)
};

int run_explorer(const ExplorerOptions& options);

}  // namespace pipescope::app
