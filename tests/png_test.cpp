// PNG files: written and read back with their text, and a damaged file is a
// clean error naming it (libpng's errors must not cross its C frames as C++
// exceptions).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pipescope/export/png.hpp"

namespace {

using namespace pipescope;

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("pipescope_png_" + std::to_string(getpid()) + "_" + name)).string();
}

Image gradient(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(static_cast<std::size_t>(w) * h * 4);
  for (std::size_t i = 0; i < img.rgba.size(); ++i) img.rgba[i] = static_cast<std::uint8_t>(i * 7);
  return img;
}

TEST(Png, RoundTripsPixelsAndText) {
  const std::string path = temp_file("round.png");
  const Image img = gradient(37, 11);
  write_png(path, img, {{"pipescope.frame", "12"}});
  PngText text;
  const Image back = read_png(path, &text);
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 11);
  EXPECT_EQ(back.rgba, img.rgba);
  ASSERT_EQ(text.size(), 1u);
  EXPECT_EQ(text[0].second, "12");
  std::filesystem::remove(path);
}

TEST(Png, ADamagedFileIsACleanErrorNamingIt) {
  const std::string path = temp_file("cut.png");
  write_png(path, gradient(64, 64), {});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  try {
    read_png(path);
    FAIL() << "a truncated PNG was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::ofstream(path, std::ios::trunc) << "not a png at all, just text";
  EXPECT_THROW(read_png(path), std::runtime_error);
  std::filesystem::remove(path);
}

}  // namespace
