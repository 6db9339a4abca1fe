#pragma once
// PNG files with text metadata (tEXt chunks): the parameters, frame and
// camera that made an image travel with it.

#include <string>
#include <utility>
#include <vector>

#include "pipescope/render/offscreen.hpp"

namespace pipescope {

using PngText = std::vector<std::pair<std::string, std::string>>;

// Writes `image` to `path` (fast zlib level: export speed matters more than
// the last few percent of size). Throws std::runtime_error naming the path.
void write_png(const std::string& path, const Image& image, const PngText& text = {});

// Reads a PNG back as RGBA (for tests and comparisons); throws on failure.
Image read_png(const std::string& path, PngText* text = nullptr);
// Only a PNG's tEXt chunks, no pixels decoded (a 1 KB file may claim 32768 x
// 32768): the chunks are walked, others skipped unread, and a text chunk
// over `max_text` bytes is refused. Throws std::runtime_error naming the path.
PngText read_png_text(const std::string& path, std::size_t max_text);

}  // namespace pipescope
