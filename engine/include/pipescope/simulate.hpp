#pragma once
// Timing by dependencies: an as-soon-as-possible simulation that turns each
// rank's program and the op costs into timed actions. A rank runs its program
// in order, one action at a time; an action starts when its rank is free and
// its inputs have arrived:
//   F(s,m)  after F(s-1,m) and the send between them (none on the same rank)
//   I(s,m)  after I(s+1,m) and the send back, or after F(s,m) on the last stage
//   B(s,m)  as I(s,m); it is I and W back to back
//   W(s,m)  after I(s,m)
// Sends run beside compute. A layer's data-parallel gradient exchange starts
// once its last weight gradient is done and runs beside compute too; the
// exchanges a rank starts share its link, one at a time.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipescope/program.hpp"

namespace pipescope {

struct Params;

// Frames each piece of work takes.
struct Costs {
  std::int64_t f = 1;  // forward of one stage for one microbatch
  std::int64_t i = 1;  // backward through its input
  std::int64_t w = 1;  // its weight gradient
  std::int64_t send = 0;            // a pipeline send between ranks (0: instant)
  std::int64_t exchange_flash = 0;  // one of a layer's two exchange flashes (0: instant)
  int layers_per_stage = 1;
  bool exchanges = false;  // dp > 1

  std::int64_t length(Op op) const;
};

// From the scene: one frame per matmul per microbatch, as the notebook
// animates them (F of a stage = 2 x its layers + its input frame), scaled by
// --cost-f/-i/-w; a send or exchange flash takes 2 x comm steps + 2 frames.
Costs costs_for(const Params& p);

struct TimedAction {
  Action action;
  std::int64_t start = 0, length = 0;
  // What held it back: `waited` frames idle on its rank, waiting for
  // `waited_for` (only meaningful when waited > 0).
  std::int64_t waited = 0;
  Step waited_for{};
  std::int64_t end() const { return start + length; }
};

struct TimedSend {
  int from_stage, to_stage, microbatch;
  bool backward;  // a gradient going back, else an activation going forward
  std::int64_t start, length;
};

struct TimedExchange {
  int stage, layer, rank;
  std::int64_t start, flash;  // two flashes: first and second weight of the layer
  std::int64_t end() const { return start + 2 * flash; }
};

struct Timing {
  std::vector<std::vector<TimedAction>> per_rank;
  std::vector<TimedSend> sends;           // in the order they start, ties by rank
  std::vector<TimedExchange> exchanges;
  std::int64_t makespan = 0;  // frames until the last action, send or exchange ends
};

// Thrown for a program that can never finish: the message names the waiting
// ranks, the actions they wait at and the cycle between them.
struct Deadlock : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Timing simulate(const Program& program, const Costs& costs);

}  // namespace pipescope

namespace pipescope {

// A parameter set's schedule, made whole: each rank's program, the costs it
// ran with and its timing. What the animator, `pipescope schedule` and
// `pipescope stats` (and later views) all read. For the notebook's schedule
// the timing is its animation's own (barriers between phases), not simulated.
struct SchedulePlan {
  Program program;
  Costs costs;
  Timing timing;
};
// Requires validate(p) to be empty.
SchedulePlan make_plan(const Params& p);

}  // namespace pipescope
