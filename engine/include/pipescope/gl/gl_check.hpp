#pragma once
// GL error checks. In debug and test builds (PIPESCOPE_GL_CHECKS defined)
// every wrapped call is followed by glGetError, and an error throws with the
// call's text, file and line; in release builds the wrapper is just the call.

#include <glad/gl.h>

#include <stdexcept>
#include <string>

namespace pipescope::gl {

struct GlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* error_name(GLenum error);
void throw_if_error(const char* call, const char* file, int line);
void throw_if_earlier_error(const char* call, const char* file, int line);

}  // namespace pipescope::gl

#ifdef PIPESCOPE_GL_CHECKS
// An error already pending belongs to an earlier, unchecked call: it is
// reported as such, so the checked call is never blamed for it.
#define GL_CHECK(call)                                                   \
  do {                                                                   \
    ::pipescope::gl::throw_if_earlier_error(#call, __FILE__, __LINE__);  \
    call;                                                                \
    ::pipescope::gl::throw_if_error(#call, __FILE__, __LINE__);          \
  } while (0)
#else
#define GL_CHECK(call) call
#endif
