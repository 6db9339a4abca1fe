#pragma once
// What every command checks in what a person typed, in one place, so each
// kind of mistake gets the same clear message wherever it is made:
// numbers (decimal, whole or finite, in range), output paths and font files.

#include <string>

#include <CLI/CLI.hpp>

namespace pipescope::app {

// A whole number as a person writes it: decimal digits with an optional
// sign; leading zeros are decimal ("017" is seventeen, not octal 15); empty,
// fractional or out-of-range text is refused naming the value. Use with
// ->transform() on integer options.
CLI::Validator whole_number();
// A finite decimal number ("1.5", "-30", "1e3"); nan, inf and values past
// double's range are refused. Use with ->transform() on floating options.
CLI::Validator finite_number();
// A finite number of GB/s, or one with its unit: "50GB/s", "400Gb/s" (read as 50).
CLI::Validator bandwidth_number();

// Why `path` (given with `flag`) cannot be written, or "" if it can: the
// folder missing, a file where a folder should be, a folder where the file
// should be, no permission.
std::string unwritable_reason(const std::string& flag, const std::string& path);

// Why `path` (given with `flag`) is not a font pipescope can draw with in
// both its renderer and the explorer's panels (TrueType or OpenType), or "".
std::string unusable_font_reason(const std::string& flag, const std::string& path);

}  // namespace pipescope::app
