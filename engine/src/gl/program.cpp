#include "pipescope/gl/program.hpp"

#include <string>

#include "pipescope/gl/gl_check.hpp"
#include "pipescope/gl/shader_sources.hpp"

namespace pipescope::gl {

namespace {

// Shader objects are deleted once linked, so they get a local guard rather than a type.
struct ShaderGuard {
  GLuint name;
  ~ShaderGuard() { glDeleteShader(name); }
};

GLuint compile(GLenum type, std::string_view file) {
  const std::string_view source = shader_source(file);
  if (source.empty()) throw GlError("shader " + std::string(file) + " is not embedded in this build");
  const GLuint shader = glCreateShader(type);
  const char* text = source.data();
  const GLint length = static_cast<GLint>(source.size());
  glShaderSource(shader, 1, &text, &length);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    char log[4096] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    glDeleteShader(shader);
    throw GlError("shader " + std::string(file) + " does not compile: " + log);
  }
  return shader;
}

}  // namespace

Program build_program(std::string_view vertex_shader, std::string_view fragment_shader) {
  ShaderGuard vs{compile(GL_VERTEX_SHADER, vertex_shader)};
  ShaderGuard fs{compile(GL_FRAGMENT_SHADER, fragment_shader)};
  Program program;
  glAttachShader(program.name(), vs.name);
  glAttachShader(program.name(), fs.name);
  glLinkProgram(program.name());
  GLint ok = GL_FALSE;
  glGetProgramiv(program.name(), GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    char log[4096] = {};
    glGetProgramInfoLog(program.name(), sizeof log, nullptr, log);
    throw GlError("shaders " + std::string(vertex_shader) + " + " + std::string(fragment_shader) +
                  " do not link: " + log);
  }
  glDetachShader(program.name(), vs.name);
  glDetachShader(program.name(), fs.name);
  return program;
}

ShaderProgram::ShaderProgram(std::string_view vertex_shader, std::string_view fragment_shader)
    : program_(build_program(vertex_shader, fragment_shader)),
      label_(std::string(vertex_shader) + " + " + std::string(fragment_shader)) {}

GLint ShaderProgram::uniform(const char* name) const {
  auto it = locations_.find(name);
  if (it == locations_.end()) {
    const GLint location = glGetUniformLocation(program_.name(), name);
#ifdef PIPESCOPE_GL_CHECKS
    if (location < 0) throw GlError(std::string("uniform ") + name + " is not in the program " + label_);
#endif
    it = locations_.emplace(name, location).first;
  }
  return it->second;
}

}  // namespace pipescope::gl
