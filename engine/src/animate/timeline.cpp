#include "pipescope/animate/timeline.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pipescope {

// Receives the schedule's writes and turns each frame into its net changes:
// an object set twice in one frame (dimmed, then lit) is one change, and one
// set back to where it started is none.
class Timeline::Recorder final : public StateWriter {
 public:
  Recorder(Timeline& t) : t_(t), current_(t.initial_), frame_start_(t.initial_.size()),
                          touched_in_(t.initial_.size(), 0) {}

  void set(ObjectIndex i, VisualState s) override {
    if (touched_in_[i] != frame_) {
      touched_in_[i] = frame_;
      frame_start_[i] = current_[i];
      touched_.push_back(i);
    }
    current_[i] = s;
  }
  void enter_phase(Phase p) override { phase_ = p; }

  void begin_frame(std::uint32_t frame) { frame_ = frame; }

  void end_frame() {
    std::sort(touched_.begin(), touched_.end());  // memory order, for the consumers' caches
    for (ObjectIndex i : touched_) {
      if (current_[i] != frame_start_[i]) t_.changes_.push_back({i, frame_start_[i], current_[i]});
    }
    touched_.clear();
    t_.frame_end_.push_back(t_.changes_.size());
    t_.phases_.push_back(phase_);
    if (t_.changes_.size() - changes_at_last_keyframe_ >= keyframe_spacing()) {
      t_.keyframes_.push_back({frame_, current_});
      changes_at_last_keyframe_ = t_.changes_.size();
    }
  }

 private:
  std::size_t keyframe_spacing() const { return std::max<std::size_t>(current_.size(), 1024); }

  Timeline& t_;
  std::vector<VisualState> current_;
  std::vector<VisualState> frame_start_;
  std::vector<std::uint32_t> touched_in_;  // frame of the last write (0 = none yet)
  std::vector<ObjectIndex> touched_;
  std::uint32_t frame_ = 0;
  Phase phase_ = Phase::Setup;
  std::size_t changes_at_last_keyframe_ = 0;
};

Timeline::Timeline(const Layout& layout, const Schedule& schedule)
    : initial_(layout.initial_state()) {
  frame_end_.push_back(0);
  phases_.push_back(Phase::Setup);
  keyframes_.push_back({0, initial_});
  Recorder recorder(*this);
  Steps steps = schedule.steps(layout, recorder);
  for (std::uint32_t frame = 1;; ++frame) {
    recorder.begin_frame(frame);
    if (!steps.next()) break;  // writes made by the ending call belong to no frame
    recorder.end_frame();
  }
}

std::size_t Timeline::changes_between(std::uint32_t a, std::uint32_t b) const {
  if (a > b) std::swap(a, b);
  return frame_end_[b] - frame_end_[a];
}

std::optional<std::uint32_t> Timeline::next_change(ObjectIndex object, std::uint32_t from, int direction) const {
  auto changes = [&](std::uint32_t k) {
    for (const Change& c : changes_into(k)) {
      if (c.object == object) return true;
    }
    return false;
  };
  if (direction > 0) {
    for (std::uint32_t k = from + 1; k <= last_frame(); ++k) {
      if (changes(k)) return k;
    }
  } else {
    for (std::uint32_t k = std::min(from, last_frame()); k-- > 1;) {
      if (changes(k)) return k;
    }
  }
  return std::nullopt;
}

const Timeline::Keyframe& Timeline::keyframe_at_or_before(std::uint32_t frame) const {
  auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), frame,
                             [](std::uint32_t f, const Keyframe& k) { return f < k.frame; });
  return *std::prev(it);  // keyframes_[0] is frame 0, so `it` is never begin()
}

std::vector<PhaseSpan> phase_spans(const Timeline& timeline) {
  std::vector<PhaseSpan> spans;
  for (std::uint32_t k = 0; k <= timeline.last_frame(); ++k) {
    if (spans.empty() || spans.back().phase != timeline.phase(k)) {
      spans.push_back({timeline.phase(k), k, k});
    } else {
      spans.back().last = k;
    }
  }
  return spans;
}

Playhead::Playhead(const Timeline& timeline)
    : timeline_(&timeline), state_(timeline.initial_state()) {
  dirty_.everything = true;
}

void Playhead::note(ObjectIndex i) {
  if (dirty_.everything) return;
  dirty_.objects.push_back(i);
  // Nobody is collecting: a full upload is cheaper than an unbounded list.
  if (dirty_.objects.size() > state_.size()) {
    dirty_.everything = true;
    dirty_.objects.clear();
  }
}

void Playhead::apply_forward(std::uint32_t into) {
  for (const Change& c : timeline_->changes_into(into)) {
    state_[c.object] = c.after;
    note(c.object);
  }
}

void Playhead::apply_backward(std::uint32_t from) {
  for (const Change& c : timeline_->changes_into(from)) {
    state_[c.object] = c.before;
    note(c.object);
  }
}

bool Playhead::step_forward() {
  if (frame_ >= timeline_->last_frame()) return false;
  apply_forward(++frame_);
  return true;
}

bool Playhead::step_back() {
  if (frame_ == 0) return false;
  apply_backward(frame_--);
  return true;
}

void Playhead::seek(std::uint32_t target) {
  if (target > timeline_->last_frame()) {
    throw std::out_of_range("frame " + std::to_string(target) + " is past the last frame " +
                            std::to_string(timeline_->last_frame()));
  }
  // Walk from here, or restore the nearest keyframe and walk from there:
  // whichever applies fewer changes (a restore costs about a copy of the state).
  const auto& key = timeline_->keyframe_at_or_before(target);
  const std::size_t direct = timeline_->changes_between(frame_, target);
  const std::size_t via_key = timeline_->changes_between(key.frame, target) + state_.size() / 8;
  if (via_key < direct) {
    std::memcpy(state_.data(), key.state.data(), state_.size());
    frame_ = key.frame;
    dirty_.everything = true;
    dirty_.objects.clear();
  }
  while (frame_ < target) apply_forward(++frame_);
  while (frame_ > target) apply_backward(frame_--);
}

Playhead::Dirty Playhead::take_changes() {
  Dirty out = std::move(dirty_);
  dirty_ = {};
  return out;
}

}  // namespace pipescope
