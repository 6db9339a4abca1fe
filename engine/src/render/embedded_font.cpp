// DejaVu Sans (Debian's fonts-dejavu-core), built into the binary so labels
// look the same on every machine, whatever fonts it has (--font overrides).
// The assembler copies the file in (.incbin): no generated source, no copy
// of the bytes in the repository. PIPESCOPE_EMBEDDED_FONT is the file's path,
// set by engine/CMakeLists.txt, which also rebuilds this when it changes.
#include "pipescope/render/font.hpp"

asm(".section .rodata\n"
    ".balign 16\n"
    "pipescope_embedded_font_begin:\n"
    ".incbin \"" PIPESCOPE_EMBEDDED_FONT "\"\n"
    "pipescope_embedded_font_end:\n"
    ".previous\n");

extern "C" const unsigned char pipescope_embedded_font_begin[];
extern "C" const unsigned char pipescope_embedded_font_end[];

namespace pipescope {

std::span<const unsigned char> embedded_font() {
  return {pipescope_embedded_font_begin, pipescope_embedded_font_end};
}

}  // namespace pipescope
