#pragma once
// An OpenGL 3.3 core context with no window system: EGL on Mesa's
// surfaceless platform. Rendering goes into framebuffer objects.

#include <stdexcept>

namespace pipescope::gl {

struct ContextError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class HeadlessContext {
 public:
  // Creates the context, makes it current on this thread and loads the GL
  // functions. Throws ContextError with one line saying what is missing.
  HeadlessContext();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;

 private:
  void create();
  void release();
  void* display_ = nullptr;
  void* context_ = nullptr;
};

// Loads GL entry points for the current context (any window system); throws
// ContextError when it lacks OpenGL 3.3. `who` names the context in messages.
using GlProcLoader = void (*(*)(const char*))();
void load_gl_functions(GlProcLoader loader, const char* who);

}  // namespace pipescope::gl
