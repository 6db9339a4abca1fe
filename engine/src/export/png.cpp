#include "pipescope/export/png.hpp"

#include <zlib.h>

#include <cstring>

#include "pipescope/io/input_file.hpp"

#include <png.h>

#include <csetjmp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pipescope {

namespace {

struct File {
  FILE* f;
  ~File() {
    if (f != nullptr) std::fclose(f);
  }
};

// libpng reports errors by longjmp (it is C: an exception must not cross its
// frames). The callback keeps the message; each phase below runs libpng
// calls only, after a setjmp of its own, and returns false if one failed.
struct PngFailure {
  char message[256] = {};
  int write_errno = 0;  // why a write failed ("No space left on device"), not libpng's "Write Error"
};

// Where libpng writes: the file, and what to say if a write fails.
struct PngSink {
  FILE* file;
  PngFailure* failure;
};

void write_to_sink(png_structp png, png_bytep data, png_size_t length) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  if (std::fwrite(data, 1, length, sink->file) != length) {
    sink->failure->write_errno = errno != 0 ? errno : EIO;
    png_error(png, std::strerror(sink->failure->write_errno));
  }
}

void flush_sink(png_structp png) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  if (std::fflush(sink->file) != 0) {
    sink->failure->write_errno = errno != 0 ? errno : EIO;
    png_error(png, std::strerror(sink->failure->write_errno));
  }
}

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* failure = static_cast<PngFailure*>(png_get_error_ptr(png));
  std::snprintf(failure->message, sizeof failure->message, "%s", message);
  png_longjmp(png, 1);
}

// No object with a destructor lives in these functions: longjmp skips them.
bool write_all(png_structp png, png_infop info, PngSink* sink, const Image& image, png_text* chunks, int n_chunks) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, sink, write_to_sink, flush_sink);
  png_set_compression_level(png, 2);
  png_set_filter(png, 0, PNG_FILTER_SUB);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (n_chunks > 0) png_set_text(png, info, chunks, n_chunks);
  png_write_info(png, info);
  const std::size_t row = static_cast<std::size_t>(image.width) * 4;
  for (int y = 0; y < image.height; ++y) png_write_row(png, image.rgba.data() + static_cast<std::size_t>(y) * row);
  png_write_end(png, nullptr);
  return true;
}

bool read_header(png_structp png, png_infop info, FILE* file, png_uint_32& width, png_uint_32& height) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_read_info(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  png_read_update_info(png, info);
  width = png_get_image_width(png, info);
  height = png_get_image_height(png, info);
  return true;
}

bool read_pixels(png_structp png, png_infop info, png_bytep* rows, png_textp* text, int* n_text) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  png_get_text(png, info, text, n_text);
  return true;
}

}  // namespace

void write_png(const std::string& path, const Image& image, const PngText& text) {
  File file{std::fopen(path.c_str(), "wb")};
  if (file.f == nullptr) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  PngFailure failure;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_png_error, nullptr);
  png_infop info = png_create_info_struct(png);
  struct Guard {
    png_structp* p;
    png_infop* i;
    ~Guard() { png_destroy_write_struct(p, i); }
  } guard{&png, &info};
  std::vector<png_text> chunks(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    chunks[i].compression = PNG_TEXT_COMPRESSION_NONE;
    chunks[i].key = const_cast<char*>(text[i].first.c_str());
    chunks[i].text = const_cast<char*>(text[i].second.c_str());
    chunks[i].text_length = text[i].second.size();
  }
  PngSink sink{file.f, &failure};
  errno = 0;
  if (!write_all(png, info, &sink, image, chunks.data(), static_cast<int>(chunks.size()))) {
    throw std::runtime_error("writing " + path + ": " + failure.message);
  }
  if (std::fflush(file.f) != 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

Image read_png(const std::string& path, PngText* text) {
  File file{std::fopen(path.c_str(), "rb")};
  if (file.f == nullptr) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  PngFailure failure;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, on_png_error, nullptr);
  png_infop info = png_create_info_struct(png);
  struct Guard {
    png_structp* p;
    png_infop* i;
    ~Guard() { png_destroy_read_struct(p, i, nullptr); }
  } guard{&png, &info};
  png_uint_32 width = 0, height = 0;
  if (!read_header(png, info, file.f, width, height)) throw std::runtime_error("reading " + path + ": " + failure.message);
  // PNG allows 2^31 - 1 a side, and a header may claim any size: refuse
  // before allocating what pipescope never writes (16384 a side, 64
  // megapixels: 256 MiB decoded).
  constexpr png_uint_32 kMaxSide = 1u << 14;
  constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 26;
  if (width > kMaxSide || height > kMaxSide || std::uint64_t{width} * height > kMaxPixels) {
    throw std::runtime_error("reading " + path + ": " + std::to_string(width) + "x" + std::to_string(height) +
                             " is larger than pipescope reads (16384 pixels a side, 64 megapixels)");
  }
  Image img;
  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.rgba.resize(static_cast<std::size_t>(img.width) * img.height * 4);
  std::vector<png_bytep> rows(static_cast<std::size_t>(img.height));
  for (int y = 0; y < img.height; ++y) rows[y] = img.rgba.data() + static_cast<std::size_t>(y) * img.width * 4;
  png_textp chunks = nullptr;
  int n = 0;
  if (!read_pixels(png, info, rows.data(), &chunks, &n)) throw std::runtime_error("reading " + path + ": " + failure.message);
  if (text != nullptr) {
    for (int i = 0; i < n; ++i) text->emplace_back(chunks[i].key, std::string(chunks[i].text, chunks[i].text_length));
  }
  return img;
}

PngText read_png_text(const std::string& path, std::size_t max_text) {
  InputFile file(path, "a PNG file");
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
  static const unsigned char kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  char head[8];
  if (file.read(head, 8) != 8 || std::memcmp(head, kSignature, 8) != 0) throw fail("is not a PNG file");
  auto be32 = [](const char* b) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[0])) << 24 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[1])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[2])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[3]));
  };
  PngText out;
  for (;;) {
    char chunk[8];
    if (file.read(chunk, 8) != 8) throw fail("is cut short: it ends before its IEND chunk");
    const std::uint32_t length = be32(chunk);
    const std::string type(chunk + 4, 4);
    if (length > 0x7fffffffu) throw fail("is damaged: a chunk claims " + std::to_string(length) + " bytes");
    if (type == "IEND") break;
    if (type != "tEXt") {
      if (!file.skip(std::uint64_t{length} + 4)) throw fail("is cut short: its " + type + " chunk runs past the end");
      continue;
    }
    if (length > max_text) {
      throw fail("holds a text chunk of " + std::to_string(length) + " bytes; pipescope reads at most " +
                 size_limit_text(max_text));
    }
    std::string data(length, '\0');
    char crc[4];
    if (file.read(data.data(), length) != length || file.read(crc, 4) != 4) throw fail("is cut short in a text chunk");
    // The checksum covers the type and the data: a damaged chunk is refused, not misread.
    uLong sum = crc32(0L, reinterpret_cast<const Bytef*>(chunk + 4), 4);
    sum = crc32(sum, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    if (sum != be32(crc)) throw fail("is damaged: a text chunk's checksum does not match");
    const std::size_t nul = data.find('\0');
    if (nul == std::string::npos || nul == 0 || nul > 79) throw fail("is damaged: a text chunk has no keyword");
    out.emplace_back(data.substr(0, nul), data.substr(nul + 1));
  }
  return out;
}

}  // namespace pipescope
