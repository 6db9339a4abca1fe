#pragma once
// The schedule as lanes, one per pipeline rank: every pass a block from its
// start to its end, coloured by what it computes, with the sends and the
// data-parallel exchanges on a thin strip beneath. The explorer's timeline
// draws them; so can anything else (a headless export). Idle is no block:
// bubbles show as gaps.

#include <cstdint>
#include <string>
#include <vector>

#include "pipescope/model/layout.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

enum class BlockKind : std::uint8_t {
  Forward,         // F
  BackwardInput,   // I
  BackwardWeight,  // W
  Backward,        // B: I and W fused, one pass (GPipe, 1F1B)
  Send,            // a pipeline send leaving this rank
  Exchange,        // a data-parallel gradient exchange on this rank's link
  // Exposed communication inside a pass (real models: the cost model does
  // not overlap these with the pass's compute), on the strip beneath it:
  TensorParallel,   // tp all-reduces (or reduce-scatter and all-gather with sp)
  ContextParallel,  // the cp ring of keys and values beyond the attention it overlaps
  ExpertParallel,   // the experts' dispatch and combine all-to-alls
  FsdpGather,       // ZeRO-3 / FSDP all-gathers of the layer's weights
};

// The colour a block is drawn in, as the scene colours that work (forward
// green, backward through the input red, weight gradient orange, sends and
// exchanges greys), packed RGBA8 with red in the lowest byte.
std::uint32_t lane_colour(BlockKind kind);

struct LaneBlock {
  std::int64_t start, end;  // frames, end exclusive (simulation time)
  BlockKind kind;
  std::int32_t stage, microbatch;  // microbatch -1 for an exchange (it is per layer)
  std::int32_t action;  // index into the rank's timed actions; -1 for sends and exchanges
  bool overlapped = false;  // half of an overlapped forward-backward pair (DualPipeV)
};

// Each list is sorted by start, and its blocks' ends are sorted too (compute
// never overlaps; all sends, and all exchanges, have one length each).
struct Lane {
  int rank;
  std::string label;  // "GPU 2", or with tp "GPUs 16-23" (rank_label)
  std::vector<LaneBlock> compute;
  std::vector<LaneBlock> sends;
  std::vector<LaneBlock> exchanges;
  std::vector<LaneBlock> collectives;  // exposed tp, cp, ep and FSDP time inside its passes
};

std::vector<Lane> make_lanes(const SchedulePlan& plan);

struct RealCostNanoseconds;
// Adds each pass's exposed collectives (the cost model's tp, cp, ep and
// FSDP shares of it, in ns) to the lanes' strips, each as long as its share:
// the FSDP gathers at the pass's start (they come before its compute), the
// rest at its end. A pass's many per-layer collectives are drawn as one per
// kind, so the strip shows at any zoom what part of the pass each takes.
void add_collectives(std::vector<Lane>& lanes, const SchedulePlan& plan, const RealCostNanoseconds& costs);

struct MeasuredRun;
// A measured step's lanes: with replicas, every rank of every replica's
// pipeline, replica by replica ("replica 1, rank 3"; Lane::rank stays the
// stage rank, whose passes the scene shows), each with its all-reduces on
// its strip; with one pipeline, make_lanes(plan).
std::vector<Lane> make_measured_lanes(const MeasuredRun& run, const SchedulePlan& plan);

// What to draw of `blocks` (one of a lane's lists) between frames t0 and t1 at `frames_per_pixel`:
// blocks outside are culled (a binary search, not a scan), and runs of
// blocks narrower than a pixel, less than a pixel apart, merge into one
// (its `kind` the first's, `merged` true), so a drawn frame costs about the
// lane's width in pixels, however many thousands of blocks it holds.
struct DrawnBlock {
  double start, end;
  BlockKind kind;
  std::int32_t index;  // into `blocks`; the first of a merged run
  bool merged;
};
void visible_blocks(const std::vector<LaneBlock>& blocks, double t0, double t1, double frames_per_pixel,
                    std::vector<DrawnBlock>& out);

// The scene objects a compute block works on, on every replica: its stage's
// matmuls and activations for its microbatch, and the stage's weights for a
// weight gradient.
std::vector<ObjectIndex> objects_of_block(const Layout& layout, const LaneBlock& block);

// The block of `blocks` under frame `t`, or -1.
std::int32_t block_at(const std::vector<LaneBlock>& blocks, double t);

// What the ranks do at time t: how many run a forward, a backward through
// the input, a weight gradient, and how many are idle.
struct RunningAt {
  int forward = 0, backward_input = 0, backward_weight = 0, backward = 0, idle = 0;
};
RunningAt running_at(const std::vector<Lane>& lanes, double t);

// The lanes' view: which frames they show. Zooming keeps the frame under the
// cursor where it is (as Tracy does); panning and zooming stay within the
// schedule, with a little room either side.
struct LaneView {
  double start = 0, span = 1;  // frames
  void fit(double total);
  void zoom_at(double frame, double factor, double total);  // factor < 1 zooms in
  void pan(double frames, double total);
  double frame_at(double fraction) const { return start + fraction * span; }
  double fraction_of(double frame) const { return (frame - start) / span; }
};

}  // namespace pipescope
