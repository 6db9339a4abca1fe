#pragma once
// The animation recorded once, then played in any direction.
//
// Timeline runs a schedule's steps to the end and keeps, for every frame,
// the objects that changed with their state before and after. Keyframes
// (full state copies) are placed every ~N changes, N = object count, so they
// cost no more memory than the changes themselves and a seek never applies
// more than about N changes.
//
// Playhead is one position in a timeline: the current state of every object,
// moved by step_forward/step_back/seek, and the set of objects that changed
// since the renderer last looked (take_changes).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"

namespace pipescope {

struct Change {
  ObjectIndex object;
  VisualState before;
  VisualState after;
};

class Timeline {
 public:
  Timeline(const Layout& layout, const Schedule& schedule);

  // Frames 0..last_frame(); frame 0 is the scene before the first step.
  std::uint32_t last_frame() const { return static_cast<std::uint32_t>(phases_.size() - 1); }
  std::size_t object_count() const { return initial_.size(); }
  std::size_t change_count() const { return changes_.size(); }
  std::size_t keyframe_count() const { return keyframes_.size(); }

  // What changed going from frame k-1 to frame k (k >= 1).
  std::span<const Change> changes_into(std::uint32_t k) const {
    return {changes_.data() + frame_end_[k - 1], changes_.data() + frame_end_[k]};
  }
  // Number of changes between frames a and b, in either order.
  std::size_t changes_between(std::uint32_t a, std::uint32_t b) const;
  Phase phase(std::uint32_t frame) const { return phases_[frame]; }
  const std::vector<VisualState>& initial_state() const { return initial_; }

  struct Keyframe {
    std::uint32_t frame;
    std::vector<VisualState> state;
  };
  // The next frame after `from` (direction +1) or the last before it (-1) at
  // which `object` changes; nothing if there is none.
  std::optional<std::uint32_t> next_change(ObjectIndex object, std::uint32_t from, int direction) const;

  // The last keyframe at or before `frame` (frame 0 always is one).
  const Keyframe& keyframe_at_or_before(std::uint32_t frame) const;

 private:
  class Recorder;
  std::vector<VisualState> initial_;
  std::vector<Change> changes_;
  // frame_end_[k]: end of frame k's changes in changes_ (frame_end_[0] == 0).
  std::vector<std::size_t> frame_end_;
  std::vector<Phase> phases_;
  std::vector<Keyframe> keyframes_;
};

// Consecutive frames of one phase, for marking a scrubber.
struct PhaseSpan {
  Phase phase;
  std::uint32_t first, last;
};
std::vector<PhaseSpan> phase_spans(const Timeline& timeline);

class Playhead {
 public:
  explicit Playhead(const Timeline& timeline);

  std::uint32_t frame() const { return frame_; }
  const std::vector<VisualState>& state() const { return state_; }
  VisualState state(ObjectIndex i) const { return state_[i]; }

  bool step_forward();  // false (and no change) at the last frame
  bool step_back();     // false (and no change) at frame 0
  // Clamping here is the caller's job: frames past the end are refused.
  void seek(std::uint32_t frame);

  // Objects whose state may differ from what the last take_changes() saw;
  // `everything` when a keyframe was restored (upload all).
  struct Dirty {
    bool everything = false;
    std::vector<ObjectIndex> objects;
  };
  Dirty take_changes();

 private:
  void apply_forward(std::uint32_t into);
  void apply_backward(std::uint32_t from);
  void note(ObjectIndex i);

  const Timeline* timeline_;
  std::uint32_t frame_ = 0;
  std::vector<VisualState> state_;
  Dirty dirty_;
};

}  // namespace pipescope
