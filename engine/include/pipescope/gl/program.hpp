#pragma once
// Compiling and linking the embedded shaders; a failure throws GlError with
// the shader's name and the driver's log.

#include <string>
#include <string_view>
#include <unordered_map>

#include "pipescope/gl/gl_object.hpp"

namespace pipescope::gl {

Program build_program(std::string_view vertex_shader, std::string_view fragment_shader);

// A linked program with its uniforms' locations, each looked up once (not
// every frame). In checked builds (PIPESCOPE_GL_CHECKS) a name the program
// does not have throws, naming it, instead of yielding a silent -1.
class ShaderProgram {
 public:
  ShaderProgram(std::string_view vertex_shader, std::string_view fragment_shader);
  GLuint name() const { return program_.name(); }
  GLint uniform(const char* name) const;

 private:
  Program program_;
  std::string label_;  // "boxes.vert + boxes.frag", for messages
  mutable std::unordered_map<std::string, GLint> locations_;
};

}  // namespace pipescope::gl
