// The pipescope executable, run as a user would.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_command.hpp"

namespace {

using pipescope::testing::line_count;
using pipescope::testing::run_command;

const std::string kExe = PIPESCOPE_EXE;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cli, DumpWithDefaultsReproducesTheOracle) {
  const auto out = std::filesystem::temp_directory_path() / "pipescope_cli_dump.jsonl";
  const auto r = run_command(kExe + " dump -o " + out.string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(out), read_file(PIPESCOPE_TEST_DATA "/seed-default.jsonl"));
  std::filesystem::remove(out);
}

TEST(Cli, DumpToStandardOutputByDefault) {
  const auto r = run_command(kExe + " dump --dp 1 --pp 1 --layers 1 --microbatches 1 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("{\"labels\": {", 0), 0u);
  EXPECT_NE(r.output.find("\"meta\": {\"B\": 48, \"L\": 1, \"d_hidden\": 16"), std::string::npos);
}

TEST(Cli, HelpExplainsEveryFlagWithItsDefault) {
  const auto r = run_command(kExe + " dump --help 2>&1");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--d-model", "--d-hidden", "--batch", "--layers", "--dp", "--pp",
                           "--microbatches", "--dp-gap", "--pp-gap", "--pp-comm-steps",
                           "--dp-comm-steps", "--output"}) {
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(r.output.find("--batch INT=48"), std::string::npos) << "batch default shown";
  EXPECT_NE(r.output.find("[pp_gpu_delta]"), std::string::npos) << "notebook names shown";
  const auto top = run_command(kExe + " --help 2>&1");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.output.find("dump"), std::string::npos);
}

TEST(Cli, TopLevelHelpTellsANewcomerWhatTheProgramDoes) {
  const auto top = run_command(kExe + " --help 2>&1");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* what : {"--version", "explorer", "left drag orbits", "wheel zooms", "Space play/pause",
                           "F12", "render --video", "render --frame", "Exit codes: 0 done, 1 failed, 2"}) {
    EXPECT_NE(top.output.find(what), std::string::npos) << what << " in:\n" << top.output;
  }
}

TEST(Cli, VersionIsTheProjectVersion) {
  const auto r = run_command(kExe + " --version 2>&1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "pipescope " PIPESCOPE_VERSION "\n");
}

struct BadFlag {
  std::string args;
  std::string must_mention;
};

class CliBadFlag : public ::testing::TestWithParam<BadFlag> {};

TEST_P(CliBadFlag, ExitsNonZeroWithOneLineNamingTheFlag) {
  const auto r = run_command(kExe + " dump " + GetParam().args + " 2>&1 >/dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find(GetParam().must_mention), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Flags, CliBadFlag,
    ::testing::Values(BadFlag{"--dp 0", "--dp: dp is 0, but it must be at least 1"},
                      BadFlag{"--layers 7", "--layers: L is 7, but it must be a multiple of pp (3)"},
                      BadFlag{"--pp-gap -1", "--pp-gap: pp_gpu_delta is -1"},
                      BadFlag{"--microbatches 100000000", "--microbatches"},
                      BadFlag{"--microbatches many", "--microbatches"},
                      BadFlag{"--dp 2.5", "--dp"},
                      BadFlag{"--no-such-flag", "--no-such-flag"},
                      BadFlag{"--d-hidden 0", "--d-hidden"}),
    [](const ::testing::TestParamInfo<BadFlag>& info) { return pipescope::testing::name_from_args(info.param.args); });

TEST(Cli, UnwritableOutputIsOneLine) {
  const auto r = run_command(kExe + " dump -o /nonexistent-dir/x.jsonl 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("/nonexistent-dir/x.jsonl"), std::string::npos) << r.output;
}

}  // namespace
