#pragma once
// Weighted blended order-independent transparency: translucent quads are
// accumulated into two float targets in any order, then resolved over the
// destination. The alternative to sorting: no object can "pop" in front of
// another as the camera moves. It has a fixed cost per pixel that real GPUs
// hide and llvmpipe does not (about 29 ms at 1080p), so it is an option.
//
// OpenGL 3.3 has one blend function for all targets (no glBlendFunci), so
// both targets use ONE,ONE for colour (sums) and ZERO,ONE_MINUS_SRC_ALPHA for
// alpha (the product of 1 - alpha, kept in the first target's alpha).

#include "pipescope/gl/gl_object.hpp"
#include "pipescope/gl/program.hpp"

namespace pipescope {

class OitPass {
 public:
  OitPass();  // needs a current context
  // Binds and clears the accumulation targets (width x height) and sets
  // the blending; draw the translucent quads after this.
  void begin(int width, int height);
  // Resolves into framebuffer `destination` (premultiplied "over").
  void resolve(GLuint destination, int width, int height);

 private:
  void resize(int width, int height);
  int width_ = 0, height_ = 0;
  gl::Framebuffer fbo_;
  gl::Texture accum_, weight_;
  gl::ShaderProgram composite_;
  gl::VertexArray empty_vao_;  // core profile draws need a bound VAO
};

}  // namespace pipescope
