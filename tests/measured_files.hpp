#pragma once
// The real measured runs in tests/data/measured, read with a DOM parser (the
// expected figures come from them, not from the reader under test), and
// written back edited as the tests need.

#include <zlib.h>

#include <string>

#include <nlohmann/json.hpp>

namespace pipescope::testing {

inline const std::string kMeasuredData = std::string(PIPESCOPE_TEST_DATA) + "/measured/";

// A gzipped (or plain) trace, whole, as JSON.
inline nlohmann::json read_trace(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::string text;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return nlohmann::json::parse(text);
}

// Rank r's trace of one of the measured sets ("1f1b-p4-m8").
inline std::string rank_file(const std::string& set, int r) {
  return kMeasuredData + set + "/rank" + std::to_string(r) + ".json.gz";
}

}  // namespace pipescope::testing
