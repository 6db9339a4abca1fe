// libFuzzer target: a session file as pipescope reads it. Anything is either
// refused with a SessionError or accepted whole; what it accepts writes back
// to JSON that reads as the same session.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope::app;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadedSession loaded;
  try {
    // A folder that does not exist: schedule files named by the input are never read.
    loaded = parse_session(text, "/nonexistent-pipescope-fuzz");
  } catch (const SessionError&) {
    return 0;
  }
  const std::string written = session_json(loaded.session);
  const LoadedSession again = parse_session(written, "/nonexistent-pipescope-fuzz");
  if (session_json(again.session) != written || !again.warnings.empty()) std::abort();
  return 0;
}
