// The pipescope executable, run as a user would.
#include <gtest/gtest.h>

#include "test_files.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cctype>
#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pipescope/model/param_table.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"
#include "support.hpp"

namespace {

using pipescope::testing::line_count;
using pipescope::testing::run_command;

using pipescope::testing::kExe;

using pipescope::testing::read_file;

TEST(Cli, DumpWithDefaultsReproducesTheOracle) {
  const auto out = std::filesystem::temp_directory_path() / ("pipescope_cli_dump_" + std::to_string(getpid()) + ".jsonl");
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

// Every command takes every parameter of the table, with its notebook name,
// its default when it has one, and the session flags.
TEST(Cli, EveryCommandTakesEveryParameterOfTheTable) {
  const pipescope::Params defaults;
  for (const char* command : {"", "dump", "render", "schedule", "stats", "trace"}) {
    const auto r = run_command(kExe + " " + command + " --help 2>&1");
    ASSERT_EQ(r.exit_code, 0) << command;
    for (const pipescope::ParamSpec& spec : pipescope::param_table()) {
      const std::string flag(spec.flag);
      std::string shown;
      switch (spec.type()) {
        case pipescope::ParamType::Integer:
          shown = spec.is_optional() ? flag + " INT " : flag + " INT=" + std::to_string(spec.effective(defaults));
          break;
        case pipescope::ParamType::Number: shown = flag + " FLOAT=" + spec.text(defaults); break;
        case pipescope::ParamType::PerStage: shown = flag + " US[,US...]"; break;
      }
      EXPECT_NE(r.output.find(shown), std::string::npos) << command << ": " << shown;
      EXPECT_NE(r.output.find("[" + std::string(spec.key) + "]"), std::string::npos) << command << ": " << spec.key;
    }
    for (const char* flag : {"--schedule ", "--schedule-file ", "--session ", "--preset "}) {
      EXPECT_NE(r.output.find(flag), std::string::npos) << command << ": " << flag;
    }
  }
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
                           "activations", "memory per GPU 80.0 GiB", "traffic"}) {
    EXPECT_NE(text.output.find(what), std::string::npos) << what;
  }
  const auto help = run_command(kExe + " stats --help 2>&1");
  EXPECT_NE(help.output.find("as Megatron and most papers"), std::string::npos) << help.output;
}

// A GPT-style transformer, worked by hand: h 1024, s 512, a 16, 4 layers on
// pp 2, m 4 of b 2 sequences (t = 1024 tokens), 100 TFLOP/s at 50 % (50,000
// FLOPs a ns), free links. Per stage (2 layers): F 2 x 27,917,287,424 FLOPs
// = 1,116,691 ns, I 2 x 30,064,771,072 = 1,202,591 ns, W 2 x 25,769,803,776 =
// 1,030,792 ns; 1F1B: (m + p - 1)(F + I + W); then the optimizer reads and
// writes a rank's 2 x 12,596,224 parameters' 16 bytes of model states
// (403,079,168 bytes) once at the H100's 3,350 GB/s: 120,322 ns.
TEST(CliStats, ATransformerIsTimedInMicrosecondsAndItsMemoryInBytes) {
  const auto r = run_command(kExe + " stats --json --model transformer --d-model 1024 --heads 16 --seq-len 512 "
                                    "--layers 4 --pp 2 --dp 1 --microbatches 4 --batch 8 --gpu-tflops 100 --mfu 0.5 "
                                    "--p2p-gbps 0 --schedule 1f1b --gpu-memory-gib 0.6 --attention stored 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["time_unit"], "us");
  EXPECT_EQ(j["model"], "transformer");
  EXPECT_FALSE(j.contains("makespan")) << "no figure without its unit";
  EXPECT_DOUBLE_EQ(j["makespan_us"].get<double>(), 5 * (1116.691 + 1202.591 + 1030.792) + 120.322);
  EXPECT_DOUBLE_EQ(j["flops_per_replica"].get<double>(), 16 * (27917287424.0 + 30064771072.0 + 25769803776.0));
  ASSERT_EQ(j["stages"].size(), 2u);
  EXPECT_EQ(j["stages"][1]["stage"], 1);
  EXPECT_EQ(j["stages"][1]["rank"], 1);
  EXPECT_DOUBLE_EQ(j["stages"][0]["f_us"].get<double>(), 1116.691);
  EXPECT_DOUBLE_EQ(j["stages"][0]["i_us"].get<double>(), 1202.591);
  EXPECT_DOUBLE_EQ(j["stages"][0]["w_us"].get<double>(), 1030.792);
  EXPECT_DOUBLE_EQ(j["ranks"][0]["busy_us"].get<double>(), 4 * (1116.691 + 1202.591 + 1030.792));
  // 2 layers x (12 h^2 + 13 h) parameters x 16 bytes; 1F1B's rank 0 holds 2
  // microbatches of 2 layers x s b h (34 + 5 a s / h) = 77,594,624 bytes.
  EXPECT_DOUBLE_EQ(j["ranks"][0]["static_memory_bytes"].get<double>(), 2 * 12596224.0 * 16);
  EXPECT_DOUBLE_EQ(j["ranks"][0]["peak_activation_bytes"].get<double>(), 4 * 77594624.0);
  EXPECT_DOUBLE_EQ(j["ranks"][0]["peak_memory_bytes"].get<double>(), 2 * 12596224.0 * 16 + 4 * 77594624.0);
  // 0.6 GiB = 644,245,094 bytes: rank 0 (713 MB) is over, rank 1 (558 MB) fits.
  EXPECT_EQ(j["ranks"][0]["over_memory"], true);
  EXPECT_EQ(j["ranks"][1]["over_memory"], false);
  EXPECT_EQ(j["over_memory_ranks"], 1);
  const auto text = run_command(kExe + " stats --model transformer --d-model 1024 --heads 16 --seq-len 512 "
                                       "--layers 4 --pp 2 --dp 1 --microbatches 4 --batch 8 --gpu-memory-gib 0.6 --schedule 1f1b "
                                       "--attention stored 2>&1");
  for (const char* what : {"model transformer", "makespan", " ms", "MiB", "OVER", "1 rank is over it"}) {
    EXPECT_NE(text.output.find(what), std::string::npos) << what << " in\n" << text.output;
  }
}

TEST(CliStats, TheNotebooksFiguresSayTheyAreFrames) {
  const auto r = run_command(kExe + " stats --json --dp 1 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["time_unit"], "frames");
  EXPECT_EQ(j["makespan"], 215);  // the last action's end, not the twenty still frames after it
  EXPECT_EQ(j["ranks"][0]["last_end"], 215);
}

TEST(CliSchedule, DumpHeaderNamesTheScheduleAndWhichRankHoldsEachStage) {
  const auto r = run_command(kExe + " dump --schedule zb-v --pp 2 --layers 4 --microbatches 4 --dp 1 2>&1 | head -c 2000");
  EXPECT_NE(r.output.find("\"schedule\": \"zb-v\", \"stage_ranks\": [0, 1, 1, 0]"), std::string::npos) << r.output;
}

// --schedule-file: PyTorch's own DualPipeV file is animated, measured and
// traced like the built-in schedule it came from.
const std::string kPyTorch = PIPESCOPE_TEST_DATA "/pytorch-schedules/";

TEST(CliScheduleFile, PyTorchsFileRunsAsTheBuiltInSchedule) {
  const std::string file = kPyTorch + "DualPipeV-p4-m8-v2.compute_comms.csv";
  const auto ours = run_command(kExe + " stats --json --schedule dualpipe-v --pp 4 --microbatches 8 --layers 8 2>&1");
  const auto theirs = run_command(kExe + " stats --json --schedule-file " + file + " 2>&1");
  ASSERT_EQ(ours.exit_code, 0) << ours.output;
  ASSERT_EQ(theirs.exit_code, 0) << theirs.output;
  auto a = nlohmann::json::parse(ours.output), b = nlohmann::json::parse(theirs.output);
  EXPECT_EQ(b["schedule"], "DualPipeV-p4-m8-v2.compute_comms.csv");
  a.erase("schedule");
  b.erase("schedule");
  EXPECT_EQ(a, b);
  // The animation: the dumps differ only in the schedule's name in the header.
  auto dump = [](const std::string& flags) {
    auto r = run_command(kExe + " dump --dp 1 " + flags + " 2>&1");
    const auto at = r.output.find("\"schedule\": \"");
    if (at != std::string::npos) r.output.erase(at, r.output.find('"', at + 13) - at);
    return r;
  };
  const auto dump_ours = dump("--schedule dualpipe-v --pp 4 --microbatches 8 --layers 8");
  const auto dump_theirs = dump("--schedule-file " + file);
  ASSERT_EQ(dump_theirs.exit_code, 0) << dump_theirs.output.substr(0, 300);
  EXPECT_GT(line_count(dump_theirs.output), 100u);
  EXPECT_TRUE(dump_ours.output == dump_theirs.output) << "the dumps differ";
  const auto trace = run_command(kExe + " trace -o - --schedule-file " + file + " 2>&1");
  EXPECT_EQ(trace.exit_code, 0) << trace.output.substr(0, 300);
  const auto csv = run_command(kExe + " schedule --format csv --schedule-file " + file + " 2>&1");
  std::string pytorch = read_file(kPyTorch + "DualPipeV-p4-m8-v2.compute_only.csv");
  std::erase(pytorch, '\r');
  EXPECT_EQ(csv.output, pytorch);
}

struct BadFile {
  const char* csv;       // the file's text
  std::string flags;     // beside --schedule-file
  std::string must_say;  // after "pipescope: "
};

class CliBadScheduleFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(CliBadScheduleFile, IsOneLineNamingFileLineAndRule) {
  const auto path = std::filesystem::temp_directory_path() / ("pipescope_bad_" + std::to_string(getpid()) + ".csv");
  std::ofstream(path) << GetParam().csv;
  const auto r = run_command(kExe + " stats --schedule-file " + path.string() + " " + GetParam().flags + " 2>&1");
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  std::string must_say = GetParam().must_say;
  if (const auto at = must_say.find("FILE"); at != std::string::npos) must_say.replace(at, 4, path.string());
  EXPECT_NE(r.output.find("pipescope: " + must_say), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Files, CliBadScheduleFile,
    ::testing::Values(
        BadFile{"0F0,0X0\n", "", "--schedule-file: FILE: line 1, column 5: '0X0' is not an action"},
        BadFile{"0F0,0B0,0F1\n", "", "--schedule-file: FILE: line 1, column 1: the backward of stage 0 microbatch 1 is missing"},
        BadFile{"0B0,0F0\n1F0,1B0\n", "", "--schedule-file: FILE: the program deadlocks: the schedule can never finish, its ranks wait on each "
                "other in a cycle: rank 0 waits at 0B0 for 1I0 (rank 1), rank 1 waits at 1F0 for 0F0 (rank 0)"},
        BadFile{"0F0,0B0\n1F0,1B0\n", "--pp 3", "--pp: pp is 3, but pipescope_bad_"},
        BadFile{"0F0,0B0\n1F0,1B0\n", "--schedule 1f1b", "--schedule excludes --schedule-file"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::to_string(info.index); });

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

// --- what a person may type wrong, on any command --------------------------

namespace {

struct BadInput {
  std::string args;          // the whole command line after `pipescope`
  std::string must_mention;  // the flag and the rule
};

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, IsOneLineNamingTheFlagAndExitsTwo) {
  const auto r = run_command(kExe + " " + GetParam().args + " 2>&1 >/dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find(GetParam().must_mention), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliBadInput,
    ::testing::Values(
        BadInput{"dump --dp-gap ''", "--dp-gap: an empty value"},
        BadInput{"dump --pp-comm-steps ''", "--pp-comm-steps: an empty value"},
        BadInput{"dump --batch 9223372036854775808", "--batch: '9223372036854775808' is out of range"},
        BadInput{"dump --layers 0x10", "--layers: '0x10' is not a whole number"},
        BadInput{"stats --dtype-bytes 1.5", "--dtype-bytes: '1.5' is not a whole number"},
        BadInput{"stats --dtype-bytes 65", "--dtype-bytes: dtype_bytes is 65, but it must be at least 1 and at most 64"},
        BadInput{"stats --model gpt", "--model: 'gpt' is not a model; choose notebook or transformer"},
        BadInput{"stats --mfu 0", "--mfu: mfu is 0, but it must be above 0 and at most 1"},
        BadInput{"stats --gpu-tflops nan", "--gpu-tflops"},
        BadInput{"stats --model transformer --time-f 1,,2", "--time-f: '1,,2': item 2 is empty"},
        BadInput{"stats --model transformer --time-w 1,2,3,4,5", "--time-w: time_w has 5 values, but there are 3 stages"},
        BadInput{"stats --model transformer --heads 3", "--heads: heads is 3, but d_model (8) must be a multiple of heads (3)"},
        BadInput{"stats --model transformer --batch 20", "--batch: B is 20, but a transformer's batch (in sequences) must be "
                                                        "a multiple of dp x microbatches (2 x 12 = 24)"},
        BadInput{"stats --time-f 100", "--time-i: time_i is not given: give --time-f, --time-i and --time-w together"},
        BadInput{"stats --model transformer --time-f 100 --time-i 200", "--time-w: time_w is not given: give --time-f"},
        BadInput{"stats --model transformer --frame-us 0.000001", "--frame-us: frame_us is 1e-06, but a step of up to"},
        BadInput{"dump --d-model 0", "--d-model: d_model is 0"},
        BadInput{"dump --d-model 9223372036854775807", "--d-model: d_model is 9223372036854775807"},
        BadInput{"dump --d-hidden 9223372036854775807", "--d-hidden: d_hidden is 9223372036854775807"},
        BadInput{"dump --dp 222223", "--dp: dp 222223 x L 6"},
        BadInput{"dump --layers 166665", "--layers: dp 2 x L 166665"},
        BadInput{"dump --dp-comm-steps 2147483648", "--dp-comm-steps: these parameters would animate"},
        BadInput{"render --video v.mp4 --orbit nan", "--orbit: 'nan' is not a finite number"},
        BadInput{"render --video v.mp4 --orbit inf", "--orbit: 'inf' is not a finite number"},
        BadInput{"render --video v.mp4 --orbit 1e400", "--orbit: '1e400' is not a finite number"},
        BadInput{"render --video v.mp4 --fps ''", "--fps: an empty value"},
        BadInput{"render --video v.mp4 --crf 63", "--crf: 63 is outside H.264 (.mp4)'s range 0 to 51"},
        BadInput{"render --video v.gif --crf 10", "--crf: only .mp4 and .webm"},
        BadInput{"render --video o_{frame:zz}.png", "--video: o_{frame:zz}.png: its frame number pattern"},
        BadInput{"render --video o_{}.png", "--video: o_{}.png: its frame number pattern"},
        BadInput{"render --video /etc/passwd/v.mp4", "--video: cannot write /etc/passwd/v.mp4: /etc/passwd is a file"},
        BadInput{"render -o /etc/passwd/o.png", "-o: cannot write /etc/passwd/o.png: /etc/passwd is a file"},
        BadInput{"render -o /tmp/pipescope_never.png --font /usr/share", "--font: /usr/share is a folder"},
        BadInput{"render -o /tmp/pipescope_never.png --font /dev/null", "--font: /dev/null is not a regular file"},
        BadInput{"render -o /tmp/pipescope_never.png --font " PIPESCOPE_TEST_DATA "/seed-default.jsonl",
                 "is not a TrueType or OpenType font"},
        BadInput{"--screenshot-dir /nonexistent-folder", "--screenshot-dir: cannot write"},
        BadInput{"--font /usr/share", "--font: /usr/share is a folder"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return pipescope::testing::name_from_args(info.param.args); });

// A file that looks like a TrueType font but is cut short would abort the
// explorer's panels: refused before any window opens, by every command.
TEST(CliInput, ADamagedFontIsRefusedBeforeAnythingOpens) {
  const std::string font = (std::filesystem::temp_directory_path() / ("pipescope_cut_" + std::to_string(getpid()) + ".ttf")).string();
  {
    const std::string whole = read_file("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    ASSERT_GT(whole.size(), 1000u) << "fonts-dejavu-core is installed by tests/install_deps.sh";
    std::ofstream(font, std::ios::binary) << whole.substr(0, 200);
  }
  for (const std::string command : {"render -o /tmp/pipescope_never.png", ""}) {
    const auto r = run_command(kExe + " " + command + " --font " + font + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("is damaged or has no Latin letters"), std::string::npos) << r.output;
  }
  std::filesystem::remove(font);
}

TEST(CliInput, LeadingZerosAreDecimal) {
  const auto r = run_command(kExe + " dump --layers 017 --pp 1 --dp 1 --microbatches 1 2>&1 | head -c 100000");
  EXPECT_NE(r.output.find("\"L\": 17,"), std::string::npos) << "017 is seventeen, not octal 15";
}

TEST(CliDump, AFullDiskOrClosedOutputIsSaidInOneLine) {
  auto r = run_command(kExe + " dump --dp 1 --pp 1 --layers 1 --microbatches 1 2>&1 >/dev/full");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("writing to standard output failed: No space left on device"), std::string::npos) << r.output;
  r = run_command(kExe + " dump --dp 1 --pp 1 --layers 1 --microbatches 1 2>&1 >&-");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("writing to standard output failed"), std::string::npos) << r.output;
}

TEST(CliDump, AnInterruptedDumpLeavesNoFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("pipescope_dump_int_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto out = dir / "big.jsonl";
  // A large dump (4 GB, seconds to write), interrupted once it has started
  // writing its temporary file: waited for at most 20 s, and not past the
  // dump's own end.
  const auto r = run_command("( " + kExe + " dump --dp 8 --pp 8 --layers 64 --microbatches 64 -o " + out.string() +
                             " & pid=$!; for i in $(seq 400); do ls -A " + dir.string() +
                             " | grep -q partial && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done; "
                             "kill -INT $pid; wait $pid; echo rc=$? ) 2>&1");
  EXPECT_NE(r.output.find("rc=130"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("interrupted"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "no partial file left";
  std::filesystem::remove_all(dir);
}

}  // namespace

namespace {

// `pipescope trace`: a Chrome trace whose structure Perfetto accepts: named
// processes and threads, one complete event per timed action on every
// replica, paired flows bound to the slices they join, no overlap on a track.
TEST(CliTrace, IsAValidChromeTraceOfThePlan) {
  for (const char* schedule : {"notebook", "1f1b", "interleaved-zb", "dualpipe-v"}) {
    SCOPED_TRACE(schedule);
    pipescope::Params p;
    p.schedule = *pipescope::schedule_from_name(schedule);
    p.pp = 2;
    p.L = 4;
    p.microbatches = 4;
    p.dp = 2;
    const auto r = run_command(kExe + " trace --schedule " + schedule +
                               " --pp 2 --layers 4 --microbatches 4 --dp 2 --frame-us 250 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0);
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["otherData"]["frame_us"], 250);
    const pipescope::SchedulePlan plan = pipescope::make_plan(p);
    std::size_t actions = 0;
    for (const auto& rank : plan.timing.per_rank) actions += rank.size();
    std::size_t compute = 0, processes = 0, threads = 0, counters = 0;
    std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> slices;  // (pid, tid) -> [ts, end)
    std::map<long long, std::pair<int, int>> flows;                               // id -> (starts, ends)
    for (const auto& e : j["traceEvents"]) {
      const std::string ph = e["ph"];
      if (ph == "M") {
        (e["name"] == "process_name" ? processes : threads) += 1;
      } else if (ph == "X") {
        const double ts = e["ts"], dur = e["dur"];
        slices[{e["pid"], e["tid"]}].push_back({ts, ts + dur});
        if (e["cat"] == "compute") ++compute;
      } else if (ph == "C") {
        ++counters;
      } else if (ph == "s" || ph == "f") {
        auto& f = flows[e["id"].get<long long>()];
        (ph == "s" ? f.first : f.second) += 1;
      }
    }
    EXPECT_EQ(compute, 2 * actions) << "every action on both replicas";
    EXPECT_EQ(processes, 2u);
    EXPECT_GE(threads, 4u);
    EXPECT_GT(counters, 0u);
    EXPECT_EQ(flows.size(), 2 * plan.timing.sends.size());
    for (const auto& [id, f] : flows) EXPECT_EQ(f, std::make_pair(1, 1)) << "flow " << id << " paired once";
    for (auto& [track, s] : slices) {
      std::sort(s.begin(), s.end());
      for (std::size_t i = 1; i < s.size(); ++i) EXPECT_LE(s[i - 1].second, s[i].first + 1e-6) << "overlap on a track";
    }
    // Every flow end lies inside a slice on its own track.
    for (const auto& e : j["traceEvents"]) {
      if (e["ph"] != "s" && e["ph"] != "f") continue;
      const double ts = e["ts"];
      const auto& s = slices[{e["pid"], e["tid"]}];
      EXPECT_TRUE(std::any_of(s.begin(), s.end(), [&](const auto& sl) { return sl.first <= ts && ts <= sl.second; }))
          << e.dump();
    }
  }
}

}  // namespace

// --- what -o names: never removed or replaced but by a whole new file --------

namespace {

namespace fs = std::filesystem;

struct OutputFolder : pipescope::testing::TempDir {
  OutputFolder() : TempDir("outputs") {}
};

// A device node of our own (as root, as CI runs): a failed write must leave
// it a device, and writing one must not replace it with a file.
bool make_device(const std::string& path, unsigned minor) {
  return mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0;
}

TEST(CliOutputs, AFullDeviceFailsWithoutBeingRemovedAndANullOneIsWrittenInPlace) {
  const OutputFolder out;
  if (!make_device(out / "full", 7) || !make_device(out / "null", 3)) GTEST_SKIP() << "mknod needs root";
  // render too: libpng's own "Write Error" once hid the reason.
  for (const std::string command : {"trace --preset 1f1b -o ", "dump -o ", "render --size 64x48 -o "}) {
    const auto r = run_command(kExe + " " + command + (out / "full") + " 2>&1");
    EXPECT_EQ(r.exit_code, 1) << command << r.output;
    EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::is_character_file(out / "full")) << command << "left the device a device";
  }
  const auto null = run_command(kExe + " dump -o " + (out / "null") + " 2>&1");
  EXPECT_EQ(null.exit_code, 0) << null.output;
  // A device is written in place whatever its name: no ".png" needed (the README says so).
  const auto picture = run_command(kExe + " render --size 64x48 -o " + (out / "null") + " 2>&1");
  EXPECT_EQ(picture.exit_code, 0) << picture.output;
  EXPECT_TRUE(fs::is_character_file(out / "null")) << "written in place, not replaced by a file";
  EXPECT_EQ(std::distance(fs::directory_iterator(out.path()), fs::directory_iterator()), 2) << "no partial files";
}

TEST(CliOutputs, ALinkIsFollowedAndStaysALink) {
  const OutputFolder out;
  std::ofstream(out / "real.png") << "old";
  fs::create_symlink("real.png", out / "link.png");
  const auto r = run_command(kExe + " render --preset 1f1b --size 64x64 -o " + (out / "link.png") + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::is_symlink(out / "link.png"));
  EXPECT_EQ(pipescope::testing::read_file(out / "real.png").substr(1, 3), "PNG") << "the link's target was written";
  // A failed render (a bad font) leaves both as they were.
  std::ofstream(out / "real.png", std::ios::trunc) << "old";
  const auto failed = run_command(kExe + " render --lanes --preset 1f1b -o " + (out / "link.png") + " --font /dev/null 2>&1");
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(out / "link.png"));
  EXPECT_EQ(pipescope::testing::read_file(out / "real.png"), "old");
}

TEST(CliOutputs, AFailedStandardOutputIsSaidAndExitsOne) {
  for (const char* command : {"stats", "stats --json", "schedule", "schedule --format csv"}) {
    const auto r = run_command(kExe + " " + command + " 2>&1 >/dev/full");
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.output;
    EXPECT_NE(r.output.find("writing to standard output failed"), std::string::npos) << command << ": " << r.output;
  }
}

TEST(CliOutputs, AHugeDumpIsRefusedUpFrontNamingItsSize) {
  const OutputFolder out;
  const auto r = run_command(kExe + " dump --microbatches 16000 --dp 1 -o " + (out / "big.jsonl") + " 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("GiB (224068 frames of up to 464012 objects); the limit is 8 GiB"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(out / "big.jsonl"));
}

TEST(CliOutputs, LanesTakeTheSizeGiven) {
  const OutputFolder out;
  const auto r = run_command(kExe + " render --lanes --preset 1f1b --size 1600x1600 -o " + (out / "l.png") + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string png = pipescope::testing::read_file(out / "l.png");
  auto be32 = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24 |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16 |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8 | static_cast<unsigned char>(png[at + 3]);
  };
  EXPECT_EQ(be32(16), 1600u);
  EXPECT_EQ(be32(20), 1600u) << "not the lanes' own height";
}

}  // namespace
