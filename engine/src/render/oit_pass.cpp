#include "pipescope/render/oit_pass.hpp"

#include <stdexcept>

#include "pipescope/gl/gl_check.hpp"
#include "pipescope/gl/program.hpp"

namespace pipescope {

OitPass::OitPass() : composite_("fullscreen.vert", "oit_composite.frag") {}

void OitPass::resize(int width, int height) {
  if (width == width_ && height == height_) return;
  auto storage = [&](const gl::Texture& t, GLint internal, GLenum format) {
    glBindTexture(GL_TEXTURE_2D, t.name());
    glTexImage2D(GL_TEXTURE_2D, 0, internal, width, height, 0, format, GL_FLOAT, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  };
  storage(accum_, GL_RGBA16F, GL_RGBA);
  storage(weight_, GL_R16F, GL_RED);
  glBindTexture(GL_TEXTURE_2D, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.name());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, accum_.name(), 0);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT1, GL_TEXTURE_2D, weight_.name(), 0);
  const GLenum buffers[] = {GL_COLOR_ATTACHMENT0, GL_COLOR_ATTACHMENT1};
  glDrawBuffers(2, buffers);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    throw std::runtime_error("this OpenGL cannot render into half-float targets: use sorted transparency");
  }
  GL_CHECK(glBindFramebuffer(GL_FRAMEBUFFER, 0));
  width_ = width;
  height_ = height;
}

void OitPass::begin(int width, int height) {
  resize(width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.name());
  glViewport(0, 0, width, height);
  const GLfloat accum_clear[] = {0.0f, 0.0f, 0.0f, 1.0f};  // nothing summed; everything revealed
  const GLfloat weight_clear[] = {0.0f, 0.0f, 0.0f, 0.0f};
  glClearBufferfv(GL_COLOR, 0, accum_clear);
  glClearBufferfv(GL_COLOR, 1, weight_clear);
  glEnable(GL_BLEND);
  GL_CHECK(glBlendFuncSeparate(GL_ONE, GL_ONE, GL_ZERO, GL_ONE_MINUS_SRC_ALPHA));
}

void OitPass::resolve(GLuint destination, int width, int height) {
  glBindFramebuffer(GL_FRAMEBUFFER, destination);
  glViewport(0, 0, width, height);
  glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glUseProgram(composite_.name());
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, accum_.name());
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, weight_.name());
  glUniform1i(composite_.uniform("u_accum"), 0);
  glUniform1i(composite_.uniform("u_weight"), 1);
  glBindVertexArray(empty_vao_.name());
  GL_CHECK(glDrawArrays(GL_TRIANGLES, 0, 3));
  glActiveTexture(GL_TEXTURE0);
}

}  // namespace pipescope
