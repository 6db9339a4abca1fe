// libFuzzer target: a session file as pipescope reads it. Anything is either
// refused with a SessionError or accepted whole; what it accepts writes back
// to JSON that reads as the same session. The session lies in a folder of
// its own holding a schedule file, and links to a file and a folder outside
// it and a link loop: whatever the input names, nothing it accepts (untrusted)
// resolves outside that folder.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "session.hpp"
#include "pipescope/measured/measured_run.hpp"
#include "pipescope/schedule/schedule_file.hpp"

namespace {

namespace fs = std::filesystem;

struct Folders {
  fs::path inside, outside;
};

const Folders& folders() {
  static const Folders f = [] {
    char tmpl[] = "/tmp/pipescope-fuzz-session.XXXXXX";
    const fs::path root = mkdtemp(tmpl);
    Folders made{root / "sent", root / "elsewhere"};
    fs::create_directories(made.inside);
    fs::create_directories(made.outside);
    std::ofstream(made.inside / "mine.csv") << "0F0,0B0\n";
    std::ofstream(made.outside / "other.csv") << "0F0,0B0\n";
    fs::create_symlink(made.outside / "other.csv", made.inside / "out.csv");
    fs::create_directory_symlink(made.outside, made.inside / "outdir");
    fs::create_symlink("loop", made.inside / "loop");
    fs::create_symlink("mine.csv", made.inside / "in.csv");
    return made;
  }();
  return f;
}

bool resolves_outside(const fs::path& path) {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(path, ec);
  const fs::path root = fs::weakly_canonical(folders().inside, ec);
  return std::mismatch(root.begin(), root.end(), real.begin(), real.end()).first != root.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope::app;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fs::path& folder = folders().inside;
  LoadedSession loaded;
  try {
    loaded = parse_session(text, folder);
  } catch (const SessionError&) {
    return 0;
  }
  const auto& p = loaded.session.params;
  if (p.schedule_file && !p.measured && resolves_outside(folder / p.schedule_file->path)) std::abort();
  if (p.measured && resolves_outside(folder / p.measured->source)) std::abort();
  const std::string written = session_json(loaded.session, folder);
  const LoadedSession again = parse_session(written, folder);
  if (session_json(again.session, folder) != written || !again.warnings.empty()) std::abort();
  return 0;
}
