#include "pipescope/export/png.hpp"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace pipescope {

namespace {

struct File {
  FILE* f;
  ~File() {
    if (f != nullptr) std::fclose(f);
  }
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  throw std::runtime_error(std::string(static_cast<const char*>(png_get_error_ptr(png))) + ": " + message);
}

}  // namespace

void write_png(const std::string& path, const Image& image, const PngText& text) {
  File file{std::fopen(path.c_str(), "wb")};
  if (file.f == nullptr) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  const std::string context = "writing " + path;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, const_cast<char*>(context.c_str()),
                                            on_png_error, nullptr);
  png_infop info = png_create_info_struct(png);
  struct Guard {
    png_structp* p;
    png_infop* i;
    ~Guard() { png_destroy_write_struct(p, i); }
  } guard{&png, &info};
  png_init_io(png, file.f);
  png_set_compression_level(png, 2);
  png_set_filter(png, 0, PNG_FILTER_SUB);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_text> chunks(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    chunks[i].compression = PNG_TEXT_COMPRESSION_NONE;
    chunks[i].key = const_cast<char*>(text[i].first.c_str());
    chunks[i].text = const_cast<char*>(text[i].second.c_str());
    chunks[i].text_length = text[i].second.size();
  }
  if (!chunks.empty()) png_set_text(png, info, chunks.data(), static_cast<int>(chunks.size()));
  png_write_info(png, info);
  const std::size_t row = static_cast<std::size_t>(image.width) * 4;
  for (int y = 0; y < image.height; ++y) {
    png_write_row(png, image.rgba.data() + static_cast<std::size_t>(y) * row);
  }
  png_write_end(png, nullptr);
  if (std::fflush(file.f) != 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

Image read_png(const std::string& path, PngText* text) {
  File file{std::fopen(path.c_str(), "rb")};
  if (file.f == nullptr) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  const std::string context = "reading " + path;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, const_cast<char*>(context.c_str()),
                                           on_png_error, nullptr);
  png_infop info = png_create_info_struct(png);
  struct Guard {
    png_structp* p;
    png_infop* i;
    ~Guard() { png_destroy_read_struct(p, i, nullptr); }
  } guard{&png, &info};
  png_init_io(png, file.f);
  png_read_info(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  png_read_update_info(png, info);
  Image img;
  img.width = static_cast<int>(png_get_image_width(png, info));
  img.height = static_cast<int>(png_get_image_height(png, info));
  img.rgba.resize(static_cast<std::size_t>(img.width) * img.height * 4);
  std::vector<png_bytep> rows(static_cast<std::size_t>(img.height));
  for (int y = 0; y < img.height; ++y) rows[y] = img.rgba.data() + static_cast<std::size_t>(y) * img.width * 4;
  png_read_image(png, rows.data());
  png_read_end(png, info);
  if (text != nullptr) {
    png_textp chunks = nullptr;
    int n = 0;
    png_get_text(png, info, &chunks, &n);
    for (int i = 0; i < n; ++i) text->emplace_back(chunks[i].key, std::string(chunks[i].text, chunks[i].text_length));
  }
  return img;
}

}  // namespace pipescope
