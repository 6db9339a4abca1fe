#pragma once
// Compiling and linking the embedded shaders; a failure throws GlError with
// the shader's name and the driver's log.

#include <string_view>

#include "pipescope/gl/gl_object.hpp"

namespace pipescope::gl {

Program build_program(std::string_view vertex_shader, std::string_view fragment_shader);

// The location of a uniform; -1 (ignored by glUniform*) if unused.
inline GLint uniform(const Program& p, const char* name) { return glGetUniformLocation(p.name(), name); }

}  // namespace pipescope::gl
