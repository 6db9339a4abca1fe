#include "pipescope/render/lanes_texture.hpp"

#include <algorithm>
#include <cmath>

#include "pipescope/gl/gl_check.hpp"

namespace pipescope {

void LanesTexture::update(const std::vector<Lane>& lanes, const std::vector<int>& rows, double start, double span,
                          int width, int row_px, int bar_px, int strip_px) {
  width = std::max(width, 1);
  const int height = std::max(static_cast<int>(rows.size()) * row_px, 1);
  if (&lanes == lanes_ && rows == rows_ && start == start_ && span == span_ && width == width_ && height == height_ &&
      row_px == row_px_ && bar_px == bar_px_ && strip_px == strip_px_) {
    return;
  }
  lanes_ = &lanes;
  rows_ = rows;
  start_ = start, span_ = span, row_px_ = row_px, bar_px_ = bar_px, strip_px_ = strip_px;
  pixels_.assign(static_cast<std::size_t>(width) * height, 0);  // transparent: idle shows the panel behind
  const double fpp = span / width;
  std::vector<DrawnBlock> drawn;
  auto paint = [&](const std::vector<LaneBlock>& blocks, int y0, int y1) {
    visible_blocks(blocks, start, start + span, fpp, drawn);
    double previous_end = -1;
    for (const DrawnBlock& d : drawn) {
      const int x0 = std::clamp(static_cast<int>(std::floor((d.start - start) / fpp)), 0, width - 1);
      const int x1 = std::clamp(static_cast<int>(std::ceil((d.end - start) / fpp)), x0 + 1, width);
      const std::uint32_t c = lane_colour(d.kind);
      for (int y = y0; y < y1; ++y) {
        std::fill(pixels_.begin() + static_cast<std::ptrdiff_t>(y) * width + x0,
                  pixels_.begin() + static_cast<std::ptrdiff_t>(y) * width + x1, c);
      }
      // A block that starts where the last ended gets a light edge, so a row
      // of weight gradients reads as blocks, not one bar.
      if (!d.merged && d.start == previous_end && x1 - x0 >= 4) {
        const std::uint32_t edge = (((c & 0xfefefeu) >> 1) + 0x7f7f7fu) | 0xff000000u;  // halfway to white
        for (int y = y0; y < y1; ++y) pixels_[static_cast<std::size_t>(y) * width + x0] = edge;
      }
      // Half of an overlapped forward-backward pair: a dark band along its top.
      if (!d.merged && blocks[static_cast<std::size_t>(d.index)].overlapped) {
        for (int y = y0; y < std::min(y0 + 2, y1); ++y) {
          std::fill(pixels_.begin() + static_cast<std::ptrdiff_t>(y) * width + x0,
                    pixels_.begin() + static_cast<std::ptrdiff_t>(y) * width + x1, 0xff303030u);
        }
      }
      previous_end = d.end;
    }
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r] < 0 || static_cast<std::size_t>(rows[r]) >= lanes.size()) continue;
    const Lane& lane = lanes[static_cast<std::size_t>(rows[r])];
    const int y = static_cast<int>(r) * row_px;
    paint(lane.compute, y, std::min(y + bar_px, height));
    paint(lane.sends, std::min(y + bar_px + 1, height), std::min(y + bar_px + 1 + strip_px, height));
    paint(lane.exchanges, std::min(y + bar_px + 1, height), std::min(y + bar_px + 1 + strip_px, height));
    paint(lane.collectives, std::min(y + bar_px + 1, height), std::min(y + bar_px + 1 + strip_px, height));
  }
  glBindTexture(GL_TEXTURE_2D, texture_.name());
  if (width != width_ || height != height_) {
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels_.data());
    width_ = width, height_ = height;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels_.data());
  }
  GL_CHECK(glBindTexture(GL_TEXTURE_2D, 0));
}

}  // namespace pipescope
