#pragma once
// Image tests against a baseline in tests/data/reference, with the tolerance
// each test states (f3d's and Magnum's way): how far a channel may move
// (max_delta), on what share of the pixels (max_fraction), and why that much
// (llvmpipe versions, font hinting, blending order). A failure reports the
// share, the largest and the mean difference, and saves the actual image
// under the build folder (Testing/Temporary), never in the source tree.
// PIPESCOPE_UPDATE_REFERENCES=1 rewrites the baseline instead.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "pipescope/export/png.hpp"

namespace pipescope::testing {

struct ImageTolerance {
  int max_delta;        // a pixel differs when any channel moves more than this
  double max_fraction;  // the share of pixels allowed to differ
  const char* reason;   // why this much
};

inline void expect_image(const Image& actual, const std::string& name, const ImageTolerance& tolerance) {
  const std::string ref_path = PIPESCOPE_TEST_DATA "/reference/" + name + ".png";
  const std::string actual_path = PIPESCOPE_TEST_OUTPUT "/" + name + ".actual.png";
  if (std::getenv("PIPESCOPE_UPDATE_REFERENCES") != nullptr) {
    write_png(ref_path, actual);
    GTEST_SKIP() << "baseline rewritten: " << ref_path;
  }
  ASSERT_TRUE(std::filesystem::exists(ref_path)) << "missing baseline " << ref_path
                                                 << " (PIPESCOPE_UPDATE_REFERENCES=1 writes it)";
  const Image ref = read_png(ref_path);
  const bool same_size = ref.width == actual.width && ref.height == actual.height;
  std::size_t differing = 0;
  int largest = 0;
  double total = 0;
  if (same_size) {
    for (std::size_t i = 0; i < ref.rgba.size(); i += 4) {
      int worst = 0;
      for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(ref.rgba[i + c] - actual.rgba[i + c]));
      differing += worst > tolerance.max_delta;
      largest = std::max(largest, worst);
      total += worst;
    }
  }
  const double pixels = static_cast<double>(actual.width) * actual.height;
  const double share = pixels > 0 ? static_cast<double>(differing) / pixels : 1.0;
  std::filesystem::create_directories(PIPESCOPE_TEST_OUTPUT);
  if (!same_size || share > tolerance.max_fraction) {
    write_png(actual_path, actual);
    ADD_FAILURE() << name << ": "
                  << (same_size ? "" : "size " + std::to_string(actual.width) + "x" + std::to_string(actual.height) +
                                           " instead of " + std::to_string(ref.width) + "x" +
                                           std::to_string(ref.height) + "; ")
                  << 100 * share << " % of pixels differ by more than " << tolerance.max_delta << " (allowed "
                  << 100 * tolerance.max_fraction << " %: " << tolerance.reason << "); largest difference " << largest
                  << ", mean " << (pixels > 0 ? total / pixels : 0) << "; actual image saved as " << actual_path;
  } else {
    std::filesystem::remove(actual_path);
  }
}

}  // namespace pipescope::testing
