#pragma once
// The state dump: the notebook's animation as JSON Lines, in the format of
// ../shared/oracle/README.md (header, one line per frame, frame count), so
// that a dump and the notebook's recording compare line by line.

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope {

// Writes the whole dump; stops early (returning false) once `out` fails (a
// full disk, a closed pipe) or `stop` is set (Ctrl-C), checked every frame.
bool write_state_dump(std::ostream& out, const Layout& layout, const Timeline& timeline,
                      const std::atomic<bool>* stop = nullptr);

// The bytes write_state_dump's frame lines will take (the header and the
// count aside), worked out from the timeline's changes without writing them:
// a dump can be refused up front, naming its size.
std::uint64_t state_dump_frames_bytes(const Layout& layout, const Timeline& timeline);

// A double as Python's repr() writes it ("24.0", "3.4285714285714284",
// "1e+16"), which is what json.dumps uses.
std::string python_float_repr(double v);

}  // namespace pipescope
