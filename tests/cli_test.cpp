// The pipescope executable, run as a user would.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

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

TEST(CliSchedule, CsvIsPyTorchsOwn) {
  const auto r = run_command(kExe + " schedule --schedule dualpipe-v --pp 4 --layers 8 --microbatches 8 --format csv 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string pytorch = read_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/DualPipeV-p4-m8-v2.compute_only.csv");
  ASSERT_FALSE(pytorch.empty());
  // PyTorch's DualPipeV file has no idle cells: the two are equal as they are.
  std::string expected;
  for (char c : pytorch) {
    if (c != '\r') expected += c;
  }
  EXPECT_EQ(r.output, expected);
}

TEST(CliSchedule, TextAndJsonShowProgramsAndTimedActions) {
  const auto text = run_command(kExe + " schedule --schedule 1f1b --pp 2 --layers 2 --microbatches 3 2>&1");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("rank 0 (stages 0): 0F0 0F1 0B0 0F2 0B1 0B2"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("rank 1 (stages 1): 1F0 1B0 1F1 1B1 1F2 1B2"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("0F0@0+3"), std::string::npos) << text.output;
  const auto json = run_command(kExe + " schedule --schedule zb-v --pp 2 --layers 4 --microbatches 4 --format json 2>/dev/null");
  ASSERT_EQ(json.exit_code, 0);
  const auto j = nlohmann::json::parse(json.output);
  EXPECT_EQ(j["stage_ranks"], nlohmann::json({0, 1, 1, 0}));
  EXPECT_EQ(j["ranks"].size(), 2u);
  EXPECT_EQ(j["ranks"][0]["actions"][0]["action"], "0F0");
  EXPECT_GT(j["makespan"].get<int>(), 0);
}

TEST(CliStats, OneFOneBBubbleIsPMinusOneOverM) {
  const auto r = run_command(kExe + " stats --schedule 1f1b --pp 4 --layers 4 --microbatches 8 --dp 1 "
                                    "--pp-comm-steps 0 --json 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_DOUBLE_EQ(j["bubble"]["idle_over_compute"].get<double>(), 3.0 / 8.0);
  // F and I are 3 frames, W 2 (one layer per stage): (m + p - 1)(F + I + W).
  EXPECT_EQ(j["makespan"], (8 + 4 - 1) * 8);
  EXPECT_EQ(j["ranks"][0]["peak_activations_microbatch_layers"], 4);
  EXPECT_EQ(j["ranks"][3]["peak_activations_microbatch_layers"], 1);
  const auto text = run_command(kExe + " stats --schedule 1f1b --pp 4 --layers 4 --microbatches 8 2>&1");
  for (const char* what : {"makespan", "bubble, idle / compute", "bubble, idle / wall", "bubble, playground",
                           "peak microbatch-layers", "traffic"}) {
    EXPECT_NE(text.output.find(what), std::string::npos) << what;
  }
  const auto help = run_command(kExe + " stats --help 2>&1");
  EXPECT_NE(help.output.find("as Megatron and most papers"), std::string::npos) << help.output;
}

TEST(CliSchedule, DumpHeaderNamesTheScheduleAndWhichRankHoldsEachStage) {
  const auto r = run_command(kExe + " dump --schedule zb-v --pp 2 --layers 4 --microbatches 4 --dp 1 2>&1 | head -c 2000");
  EXPECT_NE(r.output.find("\"schedule\": \"zb-v\", \"stage_ranks\": [0, 1, 1, 0]"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleFlags, CliBadFlag,
    ::testing::Values(BadFlag{"--schedule nope", "--schedule: 'nope' is not a schedule; choose one of: notebook"},
                      BadFlag{"--schedule zb-v --chunks 3", "--chunks: chunks is 3, but the zb-v schedule runs exactly 2"},
                      BadFlag{"--schedule 1f1b --chunks 2", "--chunks"},
                      BadFlag{"--schedule dualpipe-v --pp 4 --layers 8 --microbatches 7",
                              "--microbatches: microbatches is 7, but dualpipe-v needs at least"},
                      BadFlag{"--schedule interleaved-1f1b --pp 4 --layers 8 --microbatches 9",
                              "--microbatches: microbatches is 9, but interleaved-1f1b needs a multiple"},
                      BadFlag{"--schedule interleaved-1f1b --layers 6 --pp 2 --chunks 2",
                              "--layers: L is 6, but it must be a multiple of pp x chunks (2 x 2)"},
                      BadFlag{"--cost-f 0", "--cost-f: cost_f is 0, but it must be at least 1"},
                      BadFlag{"--schedule gpipe --cost-w 100000000", "limit"}),
    [](const ::testing::TestParamInfo<BadFlag>& info) { return pipescope::testing::name_from_args(info.param.args); });

TEST(Cli, UnwritableOutputIsOneLine) {
  const auto r = run_command(kExe + " dump -o /nonexistent-dir/x.jsonl 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("/nonexistent-dir/x.jsonl"), std::string::npos) << r.output;
}

}  // namespace
