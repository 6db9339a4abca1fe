#include "pipescope/render/font.hpp"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <memory>

namespace pipescope {

namespace {

constexpr char32_t kNabla = U'\u2207';
constexpr char32_t kMinus = U'\u2212';
constexpr int kAtlasWidth = 512;

std::uint64_t key(char32_t c, Script s) { return (static_cast<std::uint64_t>(c) << 8) | static_cast<std::uint8_t>(s); }

struct FtLibrary {
  FT_Library lib = nullptr;
  FtLibrary() {
    if (FT_Init_FreeType(&lib) != 0) throw FontError("FreeType failed to start");
  }
  ~FtLibrary() { FT_Done_FreeType(lib); }
};

struct FtFace {
  FT_Face face = nullptr;
  ~FtFace() {
    if (face != nullptr) FT_Done_Face(face);
  }
};

struct Bitmap {
  char32_t c;
  Script script;
  int w, h, left, top;
  float advance;
  std::vector<std::uint8_t> pixels;
};

}  // namespace

std::string find_font_file(const std::string& family) {
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr) throw FontError("fontconfig could not load its configuration");
  std::unique_ptr<FcConfig, decltype(&FcConfigDestroy)> config_guard(config, FcConfigDestroy);
  FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(family.c_str()));
  std::unique_ptr<FcPattern, decltype(&FcPatternDestroy)> pattern_guard(pattern, FcPatternDestroy);
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(config, pattern, &result);
  if (match == nullptr) {
    throw FontError("no font found for \"" + family +
                    "\": install one (apt-get install fonts-dejavu-core) or pass --font FILE");
  }
  std::unique_ptr<FcPattern, decltype(&FcPatternDestroy)> match_guard(match, FcPatternDestroy);
  FcChar8* file = nullptr;
  if (FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch || file == nullptr) {
    throw FontError("fontconfig matched \"" + family + "\" but gave no file: pass --font FILE");
  }
  return reinterpret_cast<const char*>(file);
}

FontAtlas::FontAtlas(const std::string& font_file, float pixel_size)
    : file_(font_file), pixel_size_(pixel_size) {
  FtLibrary ft;
  FtFace face;
  if (font_file.empty()) {
    const auto bytes = embedded_font();
    if (FT_New_Memory_Face(ft.lib, bytes.data(), static_cast<FT_Long>(bytes.size()), 0, &face.face) != 0) {
      throw FontError("the built-in font cannot be read: pass --font FILE");
    }
  } else if (FT_New_Face(ft.lib, font_file.c_str(), 0, &face.face) != 0) {
    throw FontError("cannot read font " + font_file + ": not a font file FreeType can open");
  }
  std::vector<char32_t> chars;
  for (char32_t c = 32; c < 127; ++c) chars.push_back(c);
  chars.push_back(kNabla);
  chars.push_back(kMinus);

  std::vector<Bitmap> bitmaps;
  for (Script s : {Script::Normal, Script::Small}) {
    const float size = s == Script::Normal ? pixel_size : pixel_size * 0.7f;
    FT_Set_Pixel_Sizes(face.face, 0, static_cast<FT_UInt>(std::lround(size)));
    ascender_[static_cast<int>(s)] = static_cast<float>(face.face->size->metrics.ascender) / 64.0f;
    for (char32_t c : chars) {
      const FT_UInt index = FT_Get_Char_Index(face.face, c);
      if (index == 0 && c != U' ') continue;  // the font lacks it: labels fall back
      if (FT_Load_Glyph(face.face, index, FT_LOAD_RENDER) != 0) continue;
      const FT_GlyphSlot g = face.face->glyph;
      Bitmap b{c, s, static_cast<int>(g->bitmap.width), static_cast<int>(g->bitmap.rows), g->bitmap_left,
               g->bitmap_top, static_cast<float>(g->advance.x) / 64.0f, {}};
      b.pixels.resize(static_cast<std::size_t>(b.w) * b.h);
      for (int y = 0; y < b.h; ++y) {
        const unsigned char* row = g->bitmap.buffer + static_cast<std::ptrdiff_t>(y) * g->bitmap.pitch;
        std::copy(row, row + b.w, b.pixels.begin() + static_cast<std::ptrdiff_t>(y) * b.w);
      }
      bitmaps.push_back(std::move(b));
    }
  }
  if (bitmaps.empty()) throw FontError("font " + font_file + " has none of the characters labels need");

  // Shelf packing, tallest first, with a 1-pixel gutter against bleeding.
  std::vector<std::size_t> order(bitmaps.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return bitmaps[a].h > bitmaps[b].h; });
  struct Place { int x, y; };
  std::vector<Place> places(bitmaps.size());
  int x = 1, y = 1, shelf = 0;
  for (std::size_t i : order) {
    const Bitmap& b = bitmaps[i];
    if (x + b.w + 1 > kAtlasWidth) {
      x = 1;
      y += shelf + 1;
      shelf = 0;
    }
    places[i] = {x, y};
    x += b.w + 1;
    shelf = std::max(shelf, b.h);
  }
  width_ = kAtlasWidth;
  height_ = y + shelf + 1;
  pixels_.assign(static_cast<std::size_t>(width_) * height_, 0);
  for (std::size_t i = 0; i < bitmaps.size(); ++i) {
    const Bitmap& b = bitmaps[i];
    for (int row = 0; row < b.h; ++row) {
      std::copy_n(b.pixels.begin() + static_cast<std::ptrdiff_t>(row) * b.w, b.w,
                  pixels_.begin() + static_cast<std::ptrdiff_t>(places[i].y + row) * width_ + places[i].x);
    }
    const float W = static_cast<float>(width_), H = static_cast<float>(height_);
    Glyph g;
    g.u0 = static_cast<float>(places[i].x) / W;
    g.u1 = static_cast<float>(places[i].x + b.w) / W;
    // Atlas row 0 is the glyph's top; the quad's y1 (top) maps to v0.
    g.v0 = static_cast<float>(places[i].y + b.h) / H;
    g.v1 = static_cast<float>(places[i].y) / H;
    g.x0 = static_cast<float>(b.left);
    g.x1 = static_cast<float>(b.left + b.w);
    g.y0 = static_cast<float>(b.top - b.h);
    g.y1 = static_cast<float>(b.top);
    g.advance = b.advance;
    glyphs_[key(b.c, b.script)] = g;
  }
}

const Glyph* FontAtlas::glyph(char32_t c, Script s) const {
  auto it = glyphs_.find(key(c, s));
  if (it == glyphs_.end() && c == kMinus) it = glyphs_.find(key(U'-', s));
  if (it == glyphs_.end()) it = glyphs_.find(key(U'?', s));
  return it == glyphs_.end() ? nullptr : &it->second;
}

}  // namespace pipescope
