#pragma once
// A framebuffer object of any size (beyond the window's, e.g. 3840x2160),
// rendered into and read back as RGBA rows, top row first.

#include <cstdint>
#include <vector>

#include "pipescope/gl/gl_object.hpp"

namespace pipescope {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // straight alpha, top row first
};

// Turns GL's bottom-up rows into top-down ones (and back).
void flip_rows(Image& image);

class OffscreenTarget {
 public:
  // Throws std::runtime_error naming the size when the driver refuses it.
  OffscreenTarget(int width, int height);
  void bind() const;  // subsequent draws land here
  // Reads what was drawn (premultiplied on the GPU) as straight-alpha RGBA.
  Image read() const;
  // Copies the image into the window's framebuffer with its lower-left
  // corner at (x, y), in framebuffer pixels.
  void blit_to_default(int x, int y) const;
  GLuint framebuffer() const { return fbo_.name(); }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  int width_, height_;
  gl::Framebuffer fbo_;
  gl::Renderbuffer colour_;
};

// Reads the window's framebuffer (what is about to be shown), top row first.
Image read_default_framebuffer(int width, int height);

// The largest framebuffer side this context allows.
int max_framebuffer_size();

}  // namespace pipescope
