#include "input_checks.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <stb/stb_truetype.h>

#include "pipescope/model/param_table.hpp"

namespace pipescope::app {

CLI::Validator whole_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty()) return "an empty value: give a whole number";
        std::size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
        if (i == text.size() || text.find_first_not_of("0123456789", i) != std::string::npos) {
          return "'" + text + "' is not a whole number";
        }
        const bool negative = text[0] == '-';
        // Leading zeros are decimal: drop them so nothing downstream reads octal.
        while (i + 1 < text.size() && text[i] == '0') ++i;
        const std::string digits = text.substr(i);
        std::int64_t value = 0;
        const std::string signed_digits = (negative ? "-" : "") + digits;
        const auto [end, ec] = std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), value);
        if (ec == std::errc::result_out_of_range || end != signed_digits.data() + signed_digits.size()) {
          return "'" + text + "' is out of range: whole numbers go from -9223372036854775808 to 9223372036854775807";
        }
        text = std::to_string(value);
        return "";
      },
      "");
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty()) return "an empty value: give a number";
        double value = 0;
        const char* first = text.data() + (text[0] == '+' ? 1 : 0);
        const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
        if (end != text.data() + text.size() || first == end) return "'" + text + "' is not a number";
        if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
          return "'" + text + "' is not a finite number";
        }
        return "";
      },
      "");
}

CLI::Validator bandwidth_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        // Network cards are sold in gigabits, NVLink in gigabytes: take either, keep GB/s.
        double divisor = 1;
        for (const auto& [suffix, d] : {std::pair<std::string, double>{"GB/s", 1}, {"Gb/s", 8}, {"GBps", 1},
                                        {"Gbps", 8}}) {
          if (text.size() > suffix.size() && text.ends_with(suffix)) {
            text.resize(text.size() - suffix.size());
            divisor = d;
            break;
          }
        }
        const std::string given = text;
        std::string why = finite_number()(text);
        if (!why.empty()) return "'" + given + "' is not a bandwidth: give GB/s (50, 50GB/s) or Gb/s (400Gb/s)";
        if (divisor != 1) text = number_text(std::stod(text) / divisor);
        return "";
      },
      "");
}

std::string unwritable_reason(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string head = flag + ": cannot write " + path + ": ";
  if (path.empty()) return flag + ": an empty path: give a file name";
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  // The nearest existing ancestor tells a missing folder from a file in the way.
  for (fs::path up = dir; !up.empty(); up = up.parent_path()) {
    if (fs::exists(up, ec)) {
      if (!fs::is_directory(up, ec)) return head + up.string() + " is a file, not a folder";
      break;
    }
    if (up == up.parent_path()) break;
  }
  if (!fs::is_directory(dir, ec)) return head + "folder " + dir.string() + " does not exist";
  if (fs::is_directory(p, ec)) return head + "it is a folder";
  if (access(fs::exists(p, ec) ? p.c_str() : dir.c_str(), W_OK) != 0) return head + "permission denied";
  return "";
}

std::string unusable_font_reason(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string head = flag + ": " + path + " ";
  if (!fs::exists(path, ec)) return head + "does not exist";
  if (fs::is_directory(path, ec)) return head + "is a folder: give a font file (.ttf or .otf)";
  if (!fs::is_regular_file(path, ec)) return head + "is not a regular file: give a font file (.ttf or .otf)";
  std::ifstream in(path, std::ios::binary);
  char tag[4] = {};
  if (!in.read(tag, 4)) return head + "is empty or unreadable: give a font file (.ttf or .otf)";
  // The explorer's panels (Dear ImGui) read TrueType and OpenType only.
  const std::string t(tag, 4);
  const bool sfnt = t == std::string("\x00\x01\x00\x00", 4) || t == "OTTO" || t == "true" || t == "ttcf";
  if (!sfnt) return head + "is not a TrueType or OpenType font: give a .ttf or .otf file";
  // The panels read fonts with stb_truetype (Debian's libstb, which libimgui
  // uses): a file it cannot open would abort Dear ImGui, so it is tried here.
  const auto size = fs::file_size(path, ec);
  if (ec || size > (64u << 20)) return head + "is larger than 64 MB: give a font file (.ttf or .otf)";
  std::vector<unsigned char> data(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size))) {
    return head + "could not be read: give a font file (.ttf or .otf)";
  }
  const int offset = stbtt_GetFontOffsetForIndex(data.data(), 0);
  stbtt_fontinfo info{};
  if (offset < 0 || stbtt_InitFont(&info, data.data(), offset) == 0 || stbtt_FindGlyphIndex(&info, 'A') == 0) {
    return head + "is damaged or has no Latin letters: the explorer's panels cannot use it; give another .ttf or .otf";
  }
  return "";
}

}  // namespace pipescope::app
