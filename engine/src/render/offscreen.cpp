#include "pipescope/render/offscreen.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pipescope/gl/gl_check.hpp"

namespace pipescope {

int max_framebuffer_size() {
  GLint rb = 0, vp[2] = {0, 0};
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &rb);
  glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
  return std::min({rb, vp[0], vp[1]});
}

OffscreenTarget::OffscreenTarget(int width, int height) : width_(width), height_(height) {
  const int limit = max_framebuffer_size();
  if (width < 1 || height < 1 || width > limit || height > limit) {
    throw std::runtime_error("size " + std::to_string(width) + "x" + std::to_string(height) +
                             " is outside what this OpenGL can render (1 to " + std::to_string(limit) +
                             " per side)");
  }
  glBindRenderbuffer(GL_RENDERBUFFER, colour_.name());
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.name());
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_.name());
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    throw std::runtime_error("OpenGL cannot render a " + std::to_string(width) + "x" + std::to_string(height) +
                             " image here (framebuffer status " + std::to_string(status) + ")");
  }
  GL_CHECK(glBindRenderbuffer(GL_RENDERBUFFER, 0));
}

void OffscreenTarget::bind() const { glBindFramebuffer(GL_FRAMEBUFFER, fbo_.name()); }

void OffscreenTarget::blit_to_default(int x, int y) const {
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_.name());
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
  glBlitFramebuffer(0, 0, width_, height_, x, y, x + width_, y + height_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  GL_CHECK(glBindFramebuffer(GL_FRAMEBUFFER, 0));
}

void flip_rows(Image& img) {
  const std::size_t row = static_cast<std::size_t>(img.width) * 4;
  for (int y = 0; y < img.height / 2; ++y) {
    std::swap_ranges(img.rgba.begin() + static_cast<std::ptrdiff_t>(y * row),
                     img.rgba.begin() + static_cast<std::ptrdiff_t>((y + 1) * row),
                     img.rgba.begin() + static_cast<std::ptrdiff_t>((img.height - 1 - y) * row));
  }
}

namespace {

// Reads the bound read framebuffer, top row first, premultiplied turned straight.
Image read_bound(int width, int height) {
  Image img{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  // GL's rows run bottom-up; Mesa can flip them during the copy for free.
  const bool invert = GLAD_GL_MESA_pack_invert != 0;
  if (invert) glPixelStorei(GL_PACK_INVERT_MESA, GL_TRUE);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  if (invert) glPixelStorei(GL_PACK_INVERT_MESA, GL_FALSE);
  GL_CHECK(glBindFramebuffer(GL_READ_FRAMEBUFFER, 0));
  if (!invert) flip_rows(img);
  // Premultiplied to straight alpha (an opaque image is left as it is).
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) {
    const unsigned a = img.rgba[i + 3];
    if (a == 255 || a == 0) continue;
    for (int c = 0; c < 3; ++c) img.rgba[i + c] = static_cast<std::uint8_t>(std::min(255u, (img.rgba[i + c] * 255u + a / 2) / a));
  }
  return img;
}

}  // namespace

Image OffscreenTarget::read() const {
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_.name());
  return read_bound(width_, height_);
}

Image read_default_framebuffer(int width, int height) {
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glReadBuffer(GL_BACK);
  Image img = read_bound(width, height);
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;  // a window is opaque
  return img;
}

}  // namespace pipescope
