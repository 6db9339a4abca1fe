#pragma once
// The lanes' blocks painted into one texture, so a frame draws the lanes as a
// single quad however many blocks they hold (on a CPU renderer ten thousand
// small quads cost more than the whole rest of the frame). Repainted only
// when the view, the size or the rows change; the colours are lane_colour's.

#include <cstdint>
#include <vector>

#include "pipescope/gl/gl_object.hpp"
#include "pipescope/analysis/lanes.hpp"

namespace pipescope {

class LanesTexture {
 public:
  // `rows`: which lane each row shows (-1: an empty row, e.g. a header).
  // Each row is `row_px` tall: the block bar `bar_px`, then a gap of one
  // pixel and the send/exchange strip `strip_px`. The view spans `width`
  // pixels from frame `start` over `span` frames.
  void update(const std::vector<Lane>& lanes, const std::vector<int>& rows, double start, double span, int width,
              int row_px, int bar_px, int strip_px);
  GLuint texture() const { return texture_.name(); }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  gl::Texture texture_;
  int width_ = 0, height_ = 0;
  std::vector<std::uint32_t> pixels_;
  // What the texture shows now: nothing is repainted while it stays so.
  const std::vector<Lane>* lanes_ = nullptr;
  std::vector<int> rows_;
  double start_ = 0, span_ = 0;
  int row_px_ = 0, bar_px_ = 0, strip_px_ = 0;
};

}  // namespace pipescope
