#pragma once
// Decides which labels fit on screen: greedily, in priority order, a label
// is kept only where it overlaps no label kept before it. Keeps the scene
// readable at any zoom (a large scene has tens of thousands of faces) and
// costs a few milliseconds per camera move. CPU only.

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

namespace pipescope {

class LabelPlacer {
 public:
  // A viewport of width x height pixels; `cell` is the grid's resolution.
  LabelPlacer(int width, int height, int cell = 4);

  // Tries to place a label whose box (pixels, y up) is `rect` = x0, y0, x1,
  // y1 around the anchor at `anchor_px`. True, and the space is taken, if it
  // lies on screen and overlaps nothing placed before.
  bool place(glm::vec2 anchor_px, glm::vec4 rect);

  // Takes the space without checking (labels that must show, e.g. the axes).
  void reserve(glm::vec2 anchor_px, glm::vec4 rect);

 private:
  bool cells(glm::vec2 anchor_px, glm::vec4 rect, int& x0, int& y0, int& x1, int& y1) const;
  int width_, height_, cell_, cols_, rows_;
  std::vector<std::uint8_t> taken_;
};

}  // namespace pipescope
