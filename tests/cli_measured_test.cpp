// `--measured` on the command line, run as a user would: stats (text and
// JSON), schedule --format csv, trace, and bad input.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "pipescope/export/png.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

using testing::kExe;
using testing::TempDir;
using testing::run_command;

const std::string kData = std::string(PIPESCOPE_TEST_DATA) + "/measured/";

std::string stdout_of(const std::string& args) {
  const auto r = run_command(kExe + " " + args + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  return r.output;
}

TEST(CliMeasured, StatsJsonCarriesTheMeasuredStepBesideItsIdeal) {
  const auto j = nlohmann::json::parse(stdout_of("stats --json --measured " + kData + "1f1b-p4-m8"));
  const auto& m = j.at("measured");
  EXPECT_EQ(m.at("schedule"), "1f1b");
  EXPECT_EQ(m.at("pp"), 4);
  EXPECT_EQ(m.at("microbatches"), 8);
  EXPECT_EQ(m.at("chunks"), 1);
  EXPECT_LE(m.at("ideal_makespan_us").get<double>(), m.at("makespan_us").get<double>());
  EXPECT_EQ(j.at("makespan_us"), m.at("ideal_makespan_us"));  // the top level is the ideal's
  EXPECT_EQ(j.at("pp"), 4);
  EXPECT_EQ(j.at("dp"), 1);
  ASSERT_EQ(m.at("ranks").size(), 4u);
  double last_end = 0;
  for (const auto& r : m.at("ranks")) {
    EXPECT_EQ(r.at("actions").size(), 16u);
    EXPECT_GT(r.at("busy_us").get<double>(), 0);
    EXPECT_LE(r.at("busy_us").get<double>(), m.at("makespan_us").get<double>());
    for (const auto& a : r.at("actions")) last_end = std::max(last_end, a.at("end_us").get<double>());
  }
  EXPECT_DOUBLE_EQ(last_end, m.at("makespan_us").get<double>());
}

TEST(CliMeasured, TheSlowRankIsNamed) {
  // Rank 2's stage is twice as wide (pp_trace.py heavy=2:2.0).
  const auto j = nlohmann::json::parse(stdout_of("stats --json --measured " + kData + "1f1b-p4-m8-rank2-heavy"));
  EXPECT_EQ(j.at("measured").at("straggler"), 2);
  EXPECT_EQ(j.at("measured").at("schedule"), "1f1b");
  const std::string text = stdout_of("stats --measured " + kData + "1f1b-p4-m8-rank2-heavy");
  EXPECT_NE(text.find("straggler: rank 2 computes"), std::string::npos) << text;
  // Runs with no slow rank name none: the slowest is within its peers' spread (it was 1.25 x by total compute).
  for (const char* run : {"1f1b-p4-m8", "gpipe-p4-m8", "interleaved-1f1b-p2-m4-v2", "interleaved-1f1b-p4-m8-v2",
                          "interleaved-zb-p4-m8-v2"}) {
    const auto none = nlohmann::json::parse(stdout_of(std::string("stats --json --measured ") + kData + run));
    EXPECT_TRUE(none.at("measured").at("straggler").is_null()) << run << ": " << none.at("measured").at("slowest");
  }
  // The slow rank: its middle half above its peers', and the factor near its extra width's.
  const auto slow = j.at("measured").at("slowest");
  EXPECT_EQ(slow.at("rank"), 2);
  EXPECT_GT(slow.at("quartiles_us")[0].get<double>(), slow.at("peers_quartiles_us")[1].get<double>());
  EXPECT_GT(slow.at("compute_over_peers").get<double>(), 1.4) << slow;
}

// A data x pipeline parallel run (dp 2 x pp 3 GPipe, global rank 3 made
// twice as wide): the mesh, each rank's place in it, the slow rank and why.
TEST(CliMeasured, ADataParallelRunGivesEachRanksPlaceAndTheSlowOne) {
  const std::string run = kData + "dp2-gpipe-p3-m6-rank3-heavy";
  const auto j = nlohmann::json::parse(stdout_of("stats --json --measured " + run)).at("measured");
  EXPECT_EQ(j.at("dp"), 2);
  EXPECT_EQ(j.at("pp"), 3);
  EXPECT_EQ(j.at("tp"), 1);
  EXPECT_EQ(j.at("microbatches"), 6);
  ASSERT_EQ(j.at("ranks").size(), 6u);
  for (const auto& r : j.at("ranks")) {
    EXPECT_EQ(r.at("rank").get<int>(), r.at("pp_rank").get<int>() * 2 + r.at("replica").get<int>()) << r.at("rank");
  }
  EXPECT_EQ(j.at("straggler"), 3);
  const auto slow = j.at("slowest");
  EXPECT_EQ(slow.at("operators_beyond_peers")[0].at("name"), "aten::mm");
  EXPECT_NE(slow.at("why").get<std::string>().find("CPU contention or a slower device"), std::string::npos) << slow;
  const std::string text = stdout_of("stats --measured " + run);
  EXPECT_NE(text.find("straggler: rank 3 computes"), std::string::npos) << text;
  EXPECT_NE(text.find("  why: its own compute took"), std::string::npos) << text;
  EXPECT_NE(text.find("1 pp 1"), std::string::npos) << text;  // rank 3: replica 1, pipeline rank 1
}

// A trace has times, not the model's sizes: stats shows no FLOPs, memory or
// traffic for it (they were the notebook model's toy figures), and a
// backward that ran fused is one figure, not a made-up half for I and W.
TEST(CliMeasured, StatsTextSaysWhatATraceCannotTell) {
  const auto r = testing::run_command(testing::kExe + " stats --measured " + kData + "1f1b-p4-m8 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the trace has times, not the model's sizes: no FLOPs or memory"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("per pass (stage 0) F 12.70 ms, B 18.41 ms"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("I and W fused"), std::string::npos) << r.output;
  for (const char* toy : {"TFLOP/s", "KiB", "model notebook", "traffic", "memory per GPU"}) {
    EXPECT_EQ(r.output.find(toy), std::string::npos) << toy << " in\n" << r.output;
  }
}

TEST(CliMeasured, ScheduleCsvIsTheOrderAsItRanInPyTorchsForm) {
  std::ifstream f(std::string(PIPESCOPE_TEST_DATA) + "/pytorch-schedules/1F1B-p4-m8.compute_only.csv");
  std::string pytorch((std::istreambuf_iterator<char>(f)), {});
  std::erase(pytorch, '\r');  // PyTorch writes CRLF
  EXPECT_EQ(stdout_of("schedule --format csv --measured " + kData + "1f1b-p4-m8"), pytorch);
  // A smaller run: pp 2, 4 microbatches, two stages a rank, labelled: it ran
  // PyTorch's interleaved 1F1B, which the zoo's equals.
  const std::string csv = stdout_of("schedule --format csv --measured " + kData + "interleaved-1f1b-p2-m4-v2");
  EXPECT_EQ(csv, stdout_of("schedule --format csv --schedule interleaved-1f1b --pp 2 --microbatches 4 --layers 4"));
  // Replayed as a schedule file, it is a whole schedule of its own.
  const TempDir dir("measured_csv");
  std::ofstream(dir / "order.csv") << csv;
  EXPECT_NE(stdout_of("stats --schedule-file " + (dir / "order.csv")).find("schedule order.csv"), std::string::npos);
}

TEST(CliMeasured, TraceMergesAllRanksWithSendFlows) {
  const TempDir dir("measured_trace");
  stdout_of("trace --measured " + kData + "gpipe-p4-m8 -o " + (dir / "t.json"));
  std::ifstream f(dir / "t.json");
  const auto j = nlohmann::json::parse(f);
  std::set<int> threads;
  int flows = 0, complete = 0;
  for (const auto& e : j.at("traceEvents")) {
    if (e.value("ph", "") == "X" && e.contains("args") && e["args"].contains("stage")) {
      threads.insert(e.at("tid").get<int>());
      ++complete;
    }
    if (e.value("ph", "") == "s") ++flows;
  }
  EXPECT_EQ(complete, 64);  // 4 ranks x 8 microbatches x F and B
  EXPECT_EQ(threads.size(), 4u);
  EXPECT_EQ(flows, 48);  // 3 links x 8 microbatches x both directions
}

TEST(CliMeasured, RenderDrawsTheStepAsItRanAboveItsIdeal) {
  const TempDir dir("measured_render");
  const std::string run = kData + "1f1b-p4-m8-rank2-heavy";
  stdout_of("render --lanes --measured " + run + " -o " + (dir / "lanes.png"));
  const Image lanes = read_png(dir / "lanes.png");
  EXPECT_EQ(lanes.width, 1600);
  EXPECT_EQ(lanes.height, 200 + 2 * 20 * 4 + 40);  // two sets of four lanes, and the memory plot
  // The still and the frame range follow the step as it ran, not its ideal.
  const auto j = nlohmann::json::parse(stdout_of("stats --json --measured " + run));
  EXPECT_GT(j.at("measured").at("makespan_us").get<double>(), j.at("makespan_us").get<double>());
  // Frame 400 is past the ideal's end (about 363 frames) but within the step as it ran (about 437).
  stdout_of("render --measured " + run + " --frame 400 -o " + (dir / "still.png"));
  EXPECT_GT(read_png(dir / "still.png").width, 0);
}

TEST(CliMeasured, BadInputIsOneLineNamingTheFile) {
  const TempDir dir("measured_cli_bad");
  std::ofstream(dir / "rank0.json") << "{\"traceEvents\": [";
  for (const std::string& args : std::vector<std::string>{"stats --measured " + dir.path().string(), "stats --measured /nowhere",
                                  "schedule --measured " + kData + "1f1b-p4-m8 --schedule zb-h1",
                                  "stats --measured " + kData + "1f1b-p4-m8 --time-f 3",
                                  "stats --measured " + kData + "1f1b-p4-m8 --measured-step 4"}) {
    const auto r = run_command(kExe + " " + args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(testing::line_count(r.output), 1u) << args << "\n" << r.output;
  }
  const auto r = run_command(kExe + " stats --measured " + dir.path().string() + " 2>&1 >/dev/null");
  EXPECT_NE(r.output.find("rank0.json: ends early"), std::string::npos) << r.output;
  const auto step = run_command(kExe + " stats --measured " + kData + "1f1b-p4-m8 --measured-step 4 2>&1 >/dev/null");
  EXPECT_NE(step.output.find("has no ProfilerStep#4 (it has #1)"), std::string::npos) << step.output;
}

// Flags that contradict the traces are refused, not silently replaced; a
// negative step is said in a few words (CLI11's range was a 300-digit number).
TEST(CliMeasured, FlagsTheTracesFixAreRefusedAndBadStepsSaidShortly) {
  const std::string run = kData + "1f1b-p4-m8";
  const std::pair<std::string, std::string> cases[] = {
      {"stats --measured " + run + " --dp 2", "--dp: dp is 2, but --measured reads one pipeline's ranks (dp 1)"},
      {"stats --measured " + run + " --chunks 2", "--chunks: chunks is 2, but the traces put 1 stage on each rank"},
      {"stats --measured " + run + " --measured-step -1", "the step is -1, but it must be 0 or more"}};
  for (const auto& [args, says] : cases) {
    const auto r = run_command(kExe + " " + args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(testing::line_count(r.output), 1u) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << args << "\n" << r.output;
    EXPECT_LT(r.output.size(), 300u) << r.output;
  }
  // Given as the traces have them, they are accepted.
  EXPECT_EQ(run_command(kExe + " stats --measured " + run + " --dp 1 --chunks 1 >/dev/null 2>&1").exit_code, 0);
  // A session whose measured is empty names that, not the session read as a trace.
  const TempDir dir("measured_cli_empty");
  std::ofstream(dir / "s.json") << R"({"pipescope_session": 1, "params": {"measured": ""}})";
  const auto empty = run_command(kExe + " stats --session " + (dir / "s.json") + " 2>&1 >/dev/null");
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.output.find("params.measured: is empty"), std::string::npos) << empty.output;
}

// Names and values from a user reach the terminal as text, never as control
// sequences: a trace's file name found in a folder, a --measured argument,
// a --time-f item, a session's value (issue 22: they retitled and cleared it).
TEST(CliMeasured, InputsWithTerminalEscapesArePrintedAsText) {
  const TempDir dir("measured_cli_escapes");
  const std::string evil = "$(printf 'r\\033]0;owned\\007\\033[2J\\302\\233')";
  run_command("mkdir -p " + dir.path().string() + "/t && echo x > \"" + dir.path().string() + "/t/" + evil + "1.json\"");
  std::ofstream(dir / "s.json") << "{\"pipescope_session\": 1, \"params\": {\"measured\": \"t\\u001b[2J\"}}";
  for (const std::string& args : std::vector<std::string>{
           "stats --measured " + dir.path().string() + "/t",
           "stats --measured \"" + dir.path().string() + "/" + evil + "\"",
           "stats --model transformer --time-f \"" + evil + "\" --time-i 1 --time-w 1",
           "stats --session " + (dir / "s.json")}) {
    const auto r = run_command(kExe + " " + args + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find('\x07'), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("\xc2\x9b"), std::string::npos) << args << "\n" << r.output;  // C1's CSI
    EXPECT_NE(r.output.find("\\x1b"), std::string::npos) << args << "\n" << r.output;  // said, as text
  }
}

}  // namespace
}  // namespace pipescope
