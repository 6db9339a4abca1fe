#pragma once
// Move-only owners of OpenGL objects: each deletes its name when it dies, so
// no GL object outlives its owner or is deleted twice. They must be
// destroyed while their context is current.

#include <glad/gl.h>

#include <utility>

namespace pipescope::gl {

template <typename Traits>
class Object {
 public:
  Object() : name_(Traits::create()) {}
  explicit Object(GLuint adopted) : name_(adopted) {}
  ~Object() {
    if (name_ != 0) Traits::destroy(name_);
  }
  Object(Object&& o) noexcept : name_(std::exchange(o.name_, 0)) {}
  Object& operator=(Object&& o) noexcept {
    if (this != &o) {
      if (name_ != 0) Traits::destroy(name_);
      name_ = std::exchange(o.name_, 0);
    }
    return *this;
  }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  GLuint name() const { return name_; }

 private:
  GLuint name_;
};

struct BufferTraits {
  static GLuint create() { GLuint n = 0; glGenBuffers(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteBuffers(1, &n); }
};
struct VertexArrayTraits {
  static GLuint create() { GLuint n = 0; glGenVertexArrays(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteVertexArrays(1, &n); }
};
struct TextureTraits {
  static GLuint create() { GLuint n = 0; glGenTextures(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteTextures(1, &n); }
};
struct FramebufferTraits {
  static GLuint create() { GLuint n = 0; glGenFramebuffers(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteFramebuffers(1, &n); }
};
struct RenderbufferTraits {
  static GLuint create() { GLuint n = 0; glGenRenderbuffers(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteRenderbuffers(1, &n); }
};
struct ProgramTraits {
  static GLuint create() { return glCreateProgram(); }
  static void destroy(GLuint n) { glDeleteProgram(n); }
};

using Buffer = Object<BufferTraits>;
using VertexArray = Object<VertexArrayTraits>;
using Texture = Object<TextureTraits>;
using Framebuffer = Object<FramebufferTraits>;
using Renderbuffer = Object<RenderbufferTraits>;
using Program = Object<ProgramTraits>;

}  // namespace pipescope::gl
