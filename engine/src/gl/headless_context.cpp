#include "pipescope/gl/headless_context.hpp"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <glad/gl.h>

#include <string>

namespace pipescope::gl {

namespace {

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif

std::string egl_error() {
  const EGLint e = eglGetError();
  switch (e) {
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    default: return "EGL error " + std::to_string(e);
  }
}

}  // namespace

void load_gl_functions(GlProcLoader loader, const char* who) {
  const int version = gladLoadGL(reinterpret_cast<GLADloadfunc>(loader));
  if (version == 0) throw ContextError(std::string(who) + ": could not load OpenGL functions");
  if (GLAD_VERSION_MAJOR(version) < 3 || (GLAD_VERSION_MAJOR(version) == 3 && GLAD_VERSION_MINOR(version) < 3)) {
    throw ContextError(std::string(who) + " offers OpenGL " + std::to_string(GLAD_VERSION_MAJOR(version)) +
                       "." + std::to_string(GLAD_VERSION_MINOR(version)) +
                       "; pipescope needs OpenGL 3.3 core (on Debian: apt-get install libgl1-mesa-dri)");
  }
}

HeadlessContext::HeadlessContext() {
  try {
    create();
  } catch (...) {
    release();  // the destructor does not run for a half-built object
    throw;
  }
}

void HeadlessContext::create() {
  // The surfaceless platform needs no X server or GPU device node.
  EGLDisplay display = EGL_NO_DISPLAY;
  auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (get_platform_display != nullptr) {
    display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  }
  if (display == EGL_NO_DISPLAY) display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
  if (display == EGL_NO_DISPLAY) {
    throw ContextError(
        "headless OpenGL: no EGL display (install Mesa's EGL: apt-get install libegl1 libegl-mesa0)");
  }
  EGLint major = 0, minor = 0;
  if (eglInitialize(display, &major, &minor) != EGL_TRUE) {
    throw ContextError("headless OpenGL: eglInitialize failed (" + egl_error() +
                       "); install Mesa's EGL: apt-get install libegl-mesa0 libgl1-mesa-dri");
  }
  display_ = display;
  if (eglBindAPI(EGL_OPENGL_API) != EGL_TRUE) {
    throw ContextError("headless OpenGL: this EGL has no desktop OpenGL (" + egl_error() + ")");
  }
  // The default surface type (window) does not exist without a window system.
  const EGLint config_attribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                   EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configs = 0;
  if (eglChooseConfig(display, config_attribs, &config, 1, &configs) != EGL_TRUE || configs == 0) {
    throw ContextError("headless OpenGL: no EGL config supports desktop OpenGL");
  }
  const EGLint context_attribs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                    EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                    EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
  EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attribs);
  if (context == EGL_NO_CONTEXT) {
    throw ContextError("headless OpenGL: no OpenGL 3.3 core context (" + egl_error() + ")");
  }
  context_ = context;
  if (eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context) != EGL_TRUE) {
    throw ContextError("headless OpenGL: cannot use a context without a surface (" + egl_error() + ")");
  }
  load_gl_functions(reinterpret_cast<GlProcLoader>(eglGetProcAddress), "headless OpenGL (EGL)");
}

HeadlessContext::~HeadlessContext() { release(); }

void HeadlessContext::release() {
  if (display_ != nullptr) {
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (context_ != nullptr) eglDestroyContext(display_, context_);
    eglTerminate(display_);
  }
  display_ = context_ = nullptr;
}

}  // namespace pipescope::gl
