#include "pipescope/gl/gl_check.hpp"

namespace pipescope::gl {

const char* error_name(GLenum error) {
  switch (error) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    default: return "unknown GL error";
  }
}

void throw_if_error(const char* call, const char* file, int line) {
  const GLenum error = glGetError();
  if (error == GL_NO_ERROR) return;
  while (glGetError() != GL_NO_ERROR) {
  }
  throw GlError(std::string(error_name(error)) + " from " + call + " at " + file + ":" +
                std::to_string(line));
}

void throw_if_earlier_error(const char* call, const char* file, int line) {
  const GLenum error = glGetError();
  if (error == GL_NO_ERROR) return;
  while (glGetError() != GL_NO_ERROR) {
  }
  throw GlError(std::string(error_name(error)) + " from an unchecked GL call made before " + call + " at " + file +
                ":" + std::to_string(line));
}

}  // namespace pipescope::gl
