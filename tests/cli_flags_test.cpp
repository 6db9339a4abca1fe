// The command line as a practitioner types it (issue 22): a flag given twice,
// lanes of more ranks than a picture holds, a session's number beyond a
// double. Each is what the user expects, or one line naming what they gave.

#include <gtest/gtest.h>

#include <filesystem>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace pipescope {
namespace {

using testing::kExe;
using testing::line_count;
using testing::run_command;

TEST(CliFlags, AFlagGivenTwiceTakesTheLast) {
  const auto r = run_command(kExe + " stats --json --pp 2 --pp 3 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output).at("ranks").size(), 3u);
  // Repeatable flags keep every value: two of a run's four traces are two, not one.
  const std::string d = std::string(PIPESCOPE_TEST_DATA) + "/measured/1f1b-p4-m8/";
  const auto two = run_command(kExe + " stats --measured " + d + "rank0.json.gz --measured " + d + "rank1.json.gz 2>&1");
  EXPECT_NE(two.output.find("has 2 of the 4 ranks' traces"), std::string::npos) << two.output;
}

TEST(CliFlags, LanesOfMoreRanksThanAPictureHoldsNameTheRanks) {
  const testing::TempDir dir("cli_many_lanes");
  const auto r = run_command(kExe + " render --lanes -o " + (dir / "l.png") +
                             " --pp 5000 --layers 5000 --microbatches 1 --batch 2 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("--lanes: pp is 5000, but lanes are drawn for up to 819 ranks"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("size"), std::string::npos) << "no size the user never gave: " << r.output;
  // The most it draws is drawn.
  const auto most = run_command(kExe + " render --lanes -o " + (dir / "m.png") +
                                " --pp 819 --layers 819 --microbatches 1 --batch 2 2>&1");
  EXPECT_EQ(most.exit_code, 0) << most.output;
}

// render --lanes --compare: a zoo schedule beneath; a name that is not one
// is said with the names that are; without --lanes it is refused.
TEST(CliFlags, RenderLanesCompareDrawsAZooScheduleBeneath) {
  const testing::TempDir dir("cli_lanes_compare");
  const auto ok = run_command(kExe + " render --lanes --preset 1f1b --compare zb-v -o " + (dir / "c.png") + " 2>&1");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "c.png"));
  const auto bad = run_command(kExe + " render --lanes --preset 1f1b --compare zbv -o " + (dir / "b.png") + " 2>&1");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_EQ(line_count(bad.output), 1u) << bad.output;
  EXPECT_NE(bad.output.find("--compare: \"zbv\" is not a schedule of the zoo: use one of "), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("zb-v"), std::string::npos) << bad.output;
  const auto scene = run_command(kExe + " render --preset 1f1b --compare zb-v -o " + (dir / "s.png") + " 2>&1");
  EXPECT_EQ(scene.exit_code, 2) << scene.output;
  EXPECT_NE(scene.output.find("give it with --lanes"), std::string::npos) << scene.output;
}

TEST(CliFlags, ASessionsNumberBeyondADoubleNamesItsKey) {
  const testing::TempDir dir("cli_session_number");
  std::ofstream(dir / "s.json") << R"({"pipescope_session": 1, "params": {"pp": 1e400}})";
  const auto r = run_command(kExe + " stats --session " + (dir / "s.json") + " 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("params.pp: is a number beyond what a double holds"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pipescope
