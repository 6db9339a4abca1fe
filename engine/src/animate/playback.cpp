#include "pipescope/animate/playback.hpp"

#include <algorithm>
#include <cmath>

namespace pipescope {

bool TimelineView::tick(double seconds) {
  if (!playing || last == 0) return false;
  carry += seconds * speed;
  const double whole = std::floor(carry);
  if (whole < 1.0) return false;
  carry -= whole;
  const std::uint32_t before = frame;
  const double target = static_cast<double>(frame) + whole;
  if (target <= last) {
    frame = static_cast<std::uint32_t>(target);
  } else if (loop) {
    frame = static_cast<std::uint32_t>(std::fmod(target, static_cast<double>(last) + 1.0));
  } else {
    frame = last;
    playing = false;
    carry = 0.0;
  }
  return frame != before;
}

void TimelineView::toggle_play() {
  if (!playing && frame == last && last > 0) frame = 0;
  playing = !playing;
  carry = 0.0;
}

void TimelineView::step(int delta) {
  playing = false;
  const long long target = static_cast<long long>(frame) + delta;
  frame = static_cast<std::uint32_t>(std::clamp<long long>(target, 0, last));
}

void TimelineView::seek(std::uint32_t f) {
  frame = std::min(f, last);
  carry = 0.0;
}

void TimelineView::rebase(std::uint32_t new_last) {
  const double relative = last == 0 ? 0.0 : static_cast<double>(frame) / last;
  last = new_last;
  frame = static_cast<std::uint32_t>(std::lround(relative * new_last));
}

}  // namespace pipescope
