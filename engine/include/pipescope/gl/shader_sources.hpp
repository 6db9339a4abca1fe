#pragma once
#include <string_view>

namespace pipescope::gl {

// The text of a file in shaders/ (e.g. "boxes.vert"), compiled into the
// binary at build time; empty if there is no such file.
std::string_view shader_source(std::string_view name);

}  // namespace pipescope::gl
