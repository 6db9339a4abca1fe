#pragma once
// A schedule turns a scene layout into the animation's steps. The notebook's
// schedule keeps its own generators (frame-exact with its recording); every
// other schedule (GPipe, 1F1B, interleaved, zero bubble, ...) is animated from
// its timed per-rank programs over the same layout.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "pipescope/model/layout.hpp"
#include "pipescope/schedule/program.hpp"
#include "pipescope/animate/steps.hpp"
#include "pipescope/model/visual_state.hpp"

namespace pipescope {

// What the whole system is doing at a frame, for marking the timeline.
enum class Phase : std::uint8_t {
  Setup,                // frame 0, before any step
  Forward,              // forward pass and pipeline sends
  BackwardActivation,   // gradients flowing back through activations
  BackwardWeight,       // weight gradients
  GradientExchange,     // data-parallel exchange of weight gradients
  Done,                 // the notebook's trailing still frames
};
inline constexpr int kPhaseCount = 6;
std::string_view phase_name(Phase p);

// The only way steps touch the scene: the timeline records through it.
class StateWriter {
 public:
  virtual ~StateWriter() = default;
  virtual void set(ObjectIndex object, VisualState state) = 0;
  // Marks the phase that this and later frames belong to.
  virtual void enter_phase(Phase phase) = 0;
};

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual std::string_view name() const = 0;
  // The steps of the whole animation: each next() is one frame. `layout` and
  // `writer` must outlive the returned Steps.
  virtual Steps steps(const Layout& layout, StateWriter& writer) const = 0;
};

// The schedule of the seed notebook (../shared/seed), step for step.
std::unique_ptr<Schedule> make_notebook_schedule();
// Every other schedule: its programs timed by dependencies (make_plan), each
// timed action animated by the notebook's helpers. `program` replaces the
// one the parameters name (a schedule read from a file, or a test's); its
// stages must match the parameters' (pp x chunks).
std::unique_ptr<Schedule> make_program_schedule(std::optional<Program> program = std::nullopt);
// The same from a plan already made (make_plan of the layout's parameters),
// so a view that has analysed the schedule does not simulate it again.
struct SchedulePlan;
std::unique_ptr<Schedule> make_program_schedule(std::shared_ptr<const SchedulePlan> plan);
// The layer view's (a Layout made with kLayerView): one layer's matmuls
// through F, the backward and W, collectives lit around them.
std::unique_ptr<Schedule> make_layer_view_schedule();

}  // namespace pipescope
