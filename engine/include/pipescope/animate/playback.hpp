#pragma once
// The timeline's view state, one small struct: which frame is shown, and
// how playback moves it. No UI and no rendering here: the explorer's
// scrubber, keys and buttons all call these, and the scene follows `frame`.

#include <cstdint>

namespace pipescope {

struct TimelineView {
  std::uint32_t frame = 0;
  std::uint32_t last = 0;  // the timeline's last frame
  bool playing = false;
  bool loop = true;
  float speed = 15.0f;  // frames per second: the notebook's video runs at 15
  double carry = 0.0;   // part of a frame accumulated while playing

  // Advances playback by `seconds`; true if the frame changed. Stops at the
  // end unless looping.
  bool tick(double seconds);
  void toggle_play();  // playing from the end without loop starts over
  void step(int delta);  // pauses; stays within 0..last
  void seek(std::uint32_t f);  // f <= last (callers offer only valid frames)
  void to_start() { seek(0); }
  void to_end() { seek(last); }

  // A new timeline of `new_last` frames: keep the same relative point.
  void rebase(std::uint32_t new_last);
};

}  // namespace pipescope
