#pragma once
// Glyphs for labels: a font found through fontconfig (or given as a file),
// rasterised once by FreeType into a coverage atlas at two sizes, one for
// text and one for sub- and superscripts. CPU only; the renderer uploads
// the atlas as a texture.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace pipescope {

struct FontError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The file fontconfig picks for `family` (e.g. "DejaVu Sans"); throws
// FontError naming the family and the package to install if none.
std::string find_font_file(const std::string& family);

// DejaVu Sans, built into the binary: the default label and panel font, so
// images are the same whatever fonts a machine has.
std::span<const unsigned char> embedded_font();

enum class Script : std::uint8_t { Normal, Small };  // Small: sub- and superscripts

struct Glyph {
  float u0, v0, u1, v1;  // atlas coordinates
  float x0, y0, x1, y1;  // quad relative to the pen on the baseline, pixels, y up
  float advance;         // pixels
};

class FontAtlas {
 public:
  // Rasterises printable ASCII and the symbols labels use (nabla, minus) at
  // `pixel_size` and 70 % of it. Throws FontError for a missing or
  // unreadable file. An empty `font_file` is the embedded DejaVu Sans.
  FontAtlas(const std::string& font_file, float pixel_size);

  const Glyph* glyph(char32_t c, Script s) const;
  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<std::uint8_t>& pixels() const { return pixels_; }  // R8, row 0 at v = 0
  float pixel_size() const { return pixel_size_; }
  float ascender(Script s) const { return ascender_[static_cast<int>(s)]; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  float pixel_size_;
  int width_ = 0, height_ = 0;
  std::vector<std::uint8_t> pixels_;
  std::unordered_map<std::uint64_t, Glyph> glyphs_;
  float ascender_[2] = {};
};

}  // namespace pipescope
