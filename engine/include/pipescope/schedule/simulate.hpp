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

#include "pipescope/schedule/program.hpp"

namespace pipescope {

struct Params;

// What the simulation's integer time counts: the notebook's animation frames,
// or nanoseconds of a real step (shown as microseconds).
enum class TimeUnit : std::uint8_t { Frames, Nanoseconds };

struct StageCosts {
  std::int64_t f, i, w;
};

// How long each piece of work takes, in `unit`.
struct Costs {
  TimeUnit unit = TimeUnit::Frames;
  // Every stage's costs, unless `per_stage` gives each its own.
  std::int64_t f = 1;  // forward of one stage for one microbatch
  std::int64_t i = 1;  // backward through its input
  std::int64_t w = 1;  // its weight gradient
  std::vector<StageCosts> per_stage;
  std::int64_t send = 0;            // a pipeline send between ranks (0: instant)
  std::int64_t exchange_flash = 0;  // one of a layer's two exchange flashes (0: instant)
  // After the last pass, send and exchange: the optimizer step and the
  // step's synchronisation (a fitted fixed time; 0 for the notebook).
  std::int64_t step_tail = 0;
  int layers_per_stage = 1;
  bool exchanges = false;  // dp > 1

  std::int64_t f_of(int stage) const { return per_stage.empty() ? f : per_stage[static_cast<std::size_t>(stage)].f; }
  std::int64_t i_of(int stage) const { return per_stage.empty() ? i : per_stage[static_cast<std::size_t>(stage)].i; }
  std::int64_t w_of(int stage) const { return per_stage.empty() ? w : per_stage[static_cast<std::size_t>(stage)].w; }
  std::int64_t length(const Step& st) const;
  std::int64_t length(const Action& a) const;
};

// The parameters' costs: for the notebook's model (no measured times) one
// frame per matmul per microbatch, as the notebook animates them (F of a
// stage = 2 x its layers + its input frame), scaled by --cost-f/-i/-w, a
// send or exchange flash 2 x comm steps + 2 frames. For a real model or
// measured times, nanoseconds from cost_model.hpp and the hardware.
Costs costs_for(const Params& p);

// The notebook model's frame costs of the same parameters: how many steps
// each pass's animation has, whatever its time unit.
Costs frame_costs(const Params& p);

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

// Each pass of a timed action with its own start and end: an overlapped pair
// runs its forward, then its backward. visit(step, start, end).
template <typename Visit>
void for_each_pass(const TimedAction& a, const Costs& c, Visit&& visit) {
  if (a.action.op == Op::Overlap) {
    const std::int64_t f_end = a.start + c.f_of(a.action.first.stage);
    visit(a.action.first, a.start, f_end);
    visit(a.action.second, f_end, a.end());
  } else {
    visit(a.action.first, a.start, a.end());
  }
}

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

#include <memory>

namespace pipescope {

struct AutoResult;  // auto_schedule.hpp

// A parameter set's schedule, made whole: each rank's program, the costs it
// ran with and its timing. What the animator, `pipescope schedule` and
// `pipescope stats` (and later views) all read. For the notebook's schedule
// the timing is its animation's own (barriers between phases), not simulated.
struct SchedulePlan {
  Program program;
  Costs costs;
  Timing timing;
  // Time units one animation frame shows: 1 for frames; for real time the
  // --frame-us the user set, or a round step that shows the whole step in
  // about kAutoFrames frames.
  std::int64_t frame_length = 1;
  // The notebook's own animation (notebook_plan): its weight gradients free
  // activations face by face across all microbatches, not one W at a time.
  bool notebook = false;
  // --schedule auto: what the search found and why (its best is `program`).
  std::shared_ptr<const AutoResult> auto_result;
  // A measured step with replicas that ran apart: each replica's own timing
  // (replica 0's is `timing`), which the scene replays replica by replica.
  // Empty: every replica runs `timing`.
  std::vector<Timing> replica_timing;
  // The animation frame showing time t (simulation time t is frame t + 1
  // at one unit a frame: frame 0 is the scene before any step).
  std::int64_t frame_of(std::int64_t t) const { return t / frame_length + 1; }
  bool real_time() const { return costs.unit == TimeUnit::Nanoseconds; }
};
// Requires validate(p) to be empty. With a real model, the notebook's
// schedule is its program (every F, every I, every W) timed like any other.
SchedulePlan make_plan(const Params& p);
// SchedulePlan::frame_length for a step of `makespan` time units.
std::int64_t frame_length_for(const Params& p, std::int64_t makespan);

}  // namespace pipescope
