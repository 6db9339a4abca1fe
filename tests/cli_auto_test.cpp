// `--schedule auto` on the command line, run as a user would.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace pipescope {
namespace {

// --schedule auto on the command line: its figures, what binds, and its CSV
// replaying to the same makespan through --schedule-file.
TEST(CliAuto, StatsSaysWhatWasFoundAndTheCsvReplays) {
  using testing::kExe;
  const std::string shape = " --preset zb-h1 --gpu-memory-gib 63";
  const auto j = nlohmann::json::parse(testing::run_command(kExe + " stats --json --schedule auto" + shape + " 2>/dev/null").output);
  EXPECT_EQ(j.at("schedule"), "auto");
  EXPECT_FALSE(j.at("auto").at("found_by").get<std::string>().empty());
  for (const auto& r : j.at("ranks")) EXPECT_LE(r.at("peak_memory_bytes").get<double>(), 63.0 * (1 << 30));
  for (const auto& z : j.at("auto").at("zoo")) {
    if (z.at("fits").get<bool>()) EXPECT_LE(j.at("makespan_us").get<double>(), z.at("makespan_us").get<double>()) << z;
  }
  const testing::TempDir dir("cli_auto");
  const auto csv = testing::run_command(kExe + " schedule --format csv --schedule auto" + shape + " > " + (dir / "auto.csv"));
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  const auto replay = nlohmann::json::parse(
      testing::run_command(kExe + " stats --json --schedule-file " + (dir / "auto.csv") + shape + " 2>/dev/null").output);
  EXPECT_EQ(replay.at("makespan_us"), j.at("makespan_us"));
  // A cap no order fits in: one line naming the cap and the least that fits.
  const auto low = testing::run_command(kExe + " stats --schedule auto --preset zb-h1 --gpu-memory-gib 20 2>&1 >/dev/null");
  EXPECT_EQ(low.exit_code, 2);
  EXPECT_EQ(testing::line_count(low.output), 1u) << low.output;
  EXPECT_NE(low.output.find("--gpu-memory-gib: gpu_memory_gib is 20, but no order fits"), std::string::npos) << low.output;
}

}  // namespace
}  // namespace pipescope
