#pragma once
// The state dump: the notebook's animation as JSON Lines, in the format of
// ../shared/oracle/README.md (header, one line per frame, frame count), so
// that a dump and the notebook's recording compare line by line.

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope {

struct StateDumpOptions {
  // Adds "owners" to the header (after "objects", as sort_keys orders it):
  // each object's kind, replica, stage, microbatch and the GPUs that hold it
  // ("gpu": the first, by global rank, as Megatron numbers them; "gpus":
  // all of its stage's tp x cp group, and the next replica's for an
  // exchange); "pieces": how the run cuts it (pieces.hpp: along x by tp,
  // along y by cp and sp), each piece's GPU, x fastest, and whether each
  // piece is one GPU's alone. Off, the header is the notebook recording's,
  // byte for byte.
  bool owners = false;
};

// What owns one object of the scene, as the dump's "owners" says it.
struct ObjectOwner {
  const char* kind;  // "weight1", "hidden", "flop1", "pipe_send", "all_reduce1", ...
  std::int64_t replica, stage, microbatch;  // microbatch -1 for per-layer objects
  std::vector<std::int64_t> gpus;  // global ranks, the first is "gpu"
};
ObjectOwner object_owner(const Layout& layout, ObjectIndex i);

// Writes the whole dump; stops early (returning false) once `out` fails (a
// full disk, a closed pipe) or `stop` is set (Ctrl-C), checked every frame.
bool write_state_dump(std::ostream& out, const Layout& layout, const Timeline& timeline,
                      const std::atomic<bool>* stop = nullptr, const StateDumpOptions& options = {});

// The bytes write_state_dump's frame lines will take (the header and the
// count aside), worked out from the timeline's changes without writing them:
// a dump can be refused up front, naming its size.
std::uint64_t state_dump_frames_bytes(const Layout& layout, const Timeline& timeline);

// A double as Python's repr() writes it ("24.0", "3.4285714285714284",
// "1e+16"), which is what json.dumps uses.
std::string python_float_repr(double v);

}  // namespace pipescope
