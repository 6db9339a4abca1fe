#include "pipescope/render/label_placement.hpp"

#include <algorithm>
#include <cmath>

namespace pipescope {

LabelPlacer::LabelPlacer(int width, int height, int cell)
    : width_(width), height_(height), cell_(std::max(cell, 1)),
      cols_((width + cell_ - 1) / cell_), rows_((height + cell_ - 1) / cell_),
      taken_(static_cast<std::size_t>(std::max(cols_, 0)) * std::max(rows_, 0), 0) {}

bool LabelPlacer::cells(glm::vec2 a, glm::vec4 r, int& x0, int& y0, int& x1, int& y1) const {
  const float fx0 = a.x + r.x, fy0 = a.y + r.y, fx1 = a.x + r.z, fy1 = a.y + r.w;
  // Written so that NaN fails too: a non-finite projection is never a cell.
  if (!(fx0 >= 0 && fy0 >= 0 && fx1 <= static_cast<float>(width_) && fy1 <= static_cast<float>(height_))) return false;
  x0 = static_cast<int>(fx0) / cell_;
  y0 = static_cast<int>(fy0) / cell_;
  x1 = std::min(static_cast<int>(std::ceil(fx1)) / cell_, cols_ - 1);
  y1 = std::min(static_cast<int>(std::ceil(fy1)) / cell_, rows_ - 1);
  return true;
}

bool LabelPlacer::place(glm::vec2 anchor_px, glm::vec4 rect) {
  int x0, y0, x1, y1;
  if (!cells(anchor_px, rect, x0, y0, x1, y1)) return false;
  for (int y = y0; y <= y1; ++y) {
    const std::uint8_t* row = taken_.data() + static_cast<std::size_t>(y) * cols_;
    for (int x = x0; x <= x1; ++x) {
      if (row[x] != 0) return false;
    }
  }
  for (int y = y0; y <= y1; ++y) std::fill_n(taken_.begin() + static_cast<std::ptrdiff_t>(y) * cols_ + x0, x1 - x0 + 1, 1);
  return true;
}

void LabelPlacer::reserve(glm::vec2 anchor_px, glm::vec4 rect) {
  int x0, y0, x1, y1;
  if (!cells(anchor_px, rect, x0, y0, x1, y1)) return;
  for (int y = y0; y <= y1; ++y) std::fill_n(taken_.begin() + static_cast<std::ptrdiff_t>(y) * cols_ + x0, x1 - x0 + 1, 1);
}

}  // namespace pipescope
