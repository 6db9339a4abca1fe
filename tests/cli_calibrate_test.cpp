// `pipescope calibrate` and --hardware: fitted on 1,440 measured single-node
// Megatron steps (vTrain's, tests/data/measured-step-times), the profile
// predicts the file's 41 runs on 64 and 256 GPUs it never saw; bad files
// are refused in one line naming the line and the rule.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace pipescope {
namespace {

using testing::kExe;
using testing::line_count;
using testing::run_command;

const std::string kRuns = std::string(PIPESCOPE_TEST_DATA) + "/measured-step-times/megatron-a100.csv";
// The README's common settings, as the command gives them.
const std::string kCluster =
    " --model transformer --vocab 50257 --recompute full --schedule 1f1b --gpu-tflops 312 --gpu-memory-gib 80 "
    "--gpus-per-node 8 --intra-node-gbps 150 --inter-node-gbps 12.5";

TEST(CliCalibrate, FittedOnOneNodeItPredictsRunsOnManyNodes) {
  const testing::TempDir dir("cli_calibrate");
  const auto r = run_command(kExe + " calibrate " + kRuns + kCluster + " --holdout-gpus-above 8 -o " +
                             (dir / "a100.json") + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1440 rows fitted, 41 held out"), std::string::npos) << r.output;
  std::ifstream in(dir / "a100.json");
  const auto profile = nlohmann::json::parse(in);
  // vTrain, which profiles every kernel on a GPU, reports 14.7 % across nodes;
  // the issue asks for 15 % or less.
  EXPECT_LT(profile["calibration"]["held_out"]["mean_absolute_error"].get<double>(), 0.15) << r.output;
  EXPECT_LT(profile["calibration"]["fit"]["mean_absolute_error"].get<double>(), 0.10) << r.output;
  EXPECT_EQ(profile["params"]["intra_node_gbps"], 150.0);

  // The profile read back: a 256-GPU run of the file (18.4B, tp 8 x dp 32,
  // microbatches 4) measured 9,603.6 ms.
  const auto s = run_command(kExe + " stats --json --hardware " + (dir / "a100.json") + kCluster +
                             " --d-model 6144 --heads 48 --layers 40 --seq-len 2048 --batch 1024 --microbatches 4 "
                             "--tp 8 --dp 32 --pp 1 2>&1");
  ASSERT_EQ(s.exit_code, 0) << s.output;
  const auto j = nlohmann::json::parse(s.output);
  EXPECT_NEAR(j["makespan_us"].get<double>() / 1000, 9603.6, 0.15 * 9603.6);
  EXPECT_EQ(j["mesh"]["gpus"], 256);

  // Korthikanti et al.'s Table 5 (Megatron-LM on Selene's A100s, s 2048, V
  // 51200, tp 8, the scores stored): iteration times with full recomputation
  // and with sp + selective, predicted by a profile fitted on one node of
  // another cluster's runs. Within 10 % each (measured here: 0.4 to 4.5 %).
  struct Row {
    std::string shape;
    double full_s, ours_s;
  };
  const std::vector<Row> table5 = {
      {"--d-model 6144 --heads 64 --layers 48 --pp 1 --batch 4 --microbatches 1 --schedule 1f1b", 1.42, 1.10},
      {"--d-model 12288 --heads 96 --layers 96 --pp 8 --batch 64 --microbatches 64 --schedule interleaved-1f1b "
       "--chunks 3",
       18.13, 13.75},
      {"--d-model 20480 --heads 128 --layers 105 --pp 35 --batch 280 --microbatches 280 --schedule "
       "interleaved-1f1b --chunks 3",
       49.05, 37.83},
  };
  for (const Row& row : table5) {
    for (const bool ours : {false, true}) {
      const auto t = run_command(kExe + " stats --json --hardware " + (dir / "a100.json") +
                                 " --model transformer --vocab 51200 --seq-len 2048 --tp 8 --dp 1 --attention stored " +
                                 (ours ? "--recompute selective --sp 1 " : "--recompute full ") + row.shape + " 2>&1");
      ASSERT_EQ(t.exit_code, 0) << t.output;
      const double expected = ours ? row.ours_s : row.full_s;
      EXPECT_NEAR(nlohmann::json::parse(t.output)["makespan_us"].get<double>() / 1e6, expected, 0.1 * expected)
          << row.shape << (ours ? " sp + selective" : " full");
    }
  }

  // A flag beside the profile overrides it.
  const auto over = run_command(kExe + " stats --json --hardware " + (dir / "a100.json") + kCluster +
                                " --mfu 0.1 --d-model 6144 --heads 48 --layers 40 --seq-len 2048 --batch 1024 "
                                "--microbatches 4 --tp 8 --dp 32 --pp 1 2>&1");
  EXPECT_GT(nlohmann::json::parse(over.output)["makespan_us"].get<double>(), 2 * j["makespan_us"].get<double>());
}

TEST(CliCalibrate, BadRunsAreRefusedNamingTheLine) {
  const testing::TempDir dir("cli_calibrate_bad");
  struct Case {
    std::string csv, says;
  };
  const std::vector<Case> cases = {
      {"d-model,colour,step_ms\n1024,red,5\n", "line 1: column 'colour' is neither step_ms nor a parameter flag"},
      {"d-model,heads\n1024,16\n", "no step_ms column"},
      {"d-model,heads,step_ms\n1024,16,fast\n", "line 2: step_ms is 'fast', but it must be a time above 0 in ms"},
      {"d-model,heads,step_ms\n1024,16\n", "line 2: 2 values, but the header names 3 columns"},
      {"d-model,heads,tp,step_ms\n1024,16,3,100\n", "line 2: tp is 3, but it must divide heads (16)"},
      {"d-model,heads,recompute,step_ms\n1024,16,most,100\n", "'most' is not a choice for --recompute"},
      {"d-model,heads,step_ms\n", "has no rows below its header"},
  };
  for (const Case& c : cases) {
    const std::string path = dir / "runs.csv";
    std::ofstream(path) << c.csv;
    const auto r = run_command(kExe + " calibrate " + path + " --model transformer --batch 8 --microbatches 2 "
                                      "--dp 1 -o " + (dir / "out.json") + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << c.csv << r.output;
    EXPECT_EQ(line_count(r.output), 1u) << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << r.output;
  }
}

// What is not a file of runs or a profile is said before anything is read:
// a FIFO (no hang), a device (no endless read), a folder; a huge name is quoted short.
TEST(CliCalibrate, WhatIsNotAFileIsRefusedWithoutReadingIt) {
  const testing::TempDir dir("cli_calibrate_files");
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::filesystem::create_directories(dir / "sub");
  for (const std::string& path : {fifo, std::string("/dev/zero"), dir / "sub"}) {
    const auto runs = run_command("timeout 20 " + kExe + " calibrate " + path + " -o " + (dir / "o.json") + " 2>&1");
    EXPECT_EQ(runs.exit_code, 2) << runs.output;
    EXPECT_NE(runs.output.find("not a file of measured runs"), std::string::npos) << runs.output;
    const auto profile = run_command("timeout 20 " + kExe + " stats --hardware " + path + " 2>&1");
    EXPECT_EQ(profile.exit_code, 2) << profile.output;
    EXPECT_NE(profile.output.find("not a hardware profile"), std::string::npos) << profile.output;
  }
  std::ofstream(dir / "wide.csv") << std::string(1'000'000, 'x') << ",step_ms\n1,2\n";
  const auto wide = run_command(kExe + " calibrate " + (dir / "wide.csv") + " -o " + (dir / "o.json") + " 2>&1");
  EXPECT_EQ(wide.exit_code, 2);
  EXPECT_LT(wide.output.size(), 400u) << "the column is quoted, not printed whole";
  EXPECT_NE(wide.output.find("more bytes"), std::string::npos) << wide.output.substr(0, 400);
}

TEST(CliCalibrate, ABadHardwareProfileIsRefusedNamingTheKey) {
  const testing::TempDir dir("cli_hardware_bad");
  struct Case {
    std::string json, says;
  };
  const std::vector<Case> cases = {
      {"{\"params\": {}}", "is not a hardware profile"},
      {"{\"pipescope_hardware\": 1, \"params\": {\"layers\": 4}}", "params.layers is not a hardware parameter"},
      {"{\"pipescope_hardware\": 1, \"params\": {\"mfu\": \"high\"}}", "params.mfu must be a number"},
      {"{\"pipescope_hardware\": 9, \"params\": {}}", "this pipescope reads version 1"},
      {"not json", "is not JSON"},
  };
  for (const Case& c : cases) {
    const std::string path = dir / "hw.json";
    std::ofstream(path) << c.json;
    const auto r = run_command(kExe + " stats --model transformer --hardware " + path + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << c.json << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << r.output;
  }
  const auto missing = run_command(kExe + " stats --hardware " + (dir / "none.json") + " 2>&1");
  EXPECT_NE(missing.output.find("none.json: cannot be read"), std::string::npos) << missing.output;
  // A value out of its range is validation's: named with its rule.
  std::ofstream(dir / "range.json") << "{\"pipescope_hardware\": 1, \"params\": {\"mfu\": 3}}";
  const auto range = run_command(kExe + " stats --model transformer --hardware " + (dir / "range.json") + " 2>&1");
  EXPECT_NE(range.output.find("mfu is 3, but it must be above 0 and at most 1"), std::string::npos) << range.output;
}

TEST(CliCalibrate, BandwidthsTakeTheirUnit) {
  const auto r = run_command(kExe + " stats --json --model transformer --inter-node-gbps 400Gb/s "
                                    "--intra-node-gbps 900GB/s 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto bad = run_command(kExe + " stats --model transformer --inter-node-gbps 400Mb/s 2>&1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("is not a bandwidth: give GB/s"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

// The preset of GPT-3 175B as Megatron-LM ran it (MegaScale, Table 2: 1,024
// A100s, batch 768): 11.9 s a step at MFU 44.7 %; every GPU fits in 80 GB.
TEST(CliPresets, Gpt3OnAThousandA100sIsTheRunMegaScaleMeasured) {
  const auto r = testing::run_command(testing::kExe + " stats --json --preset gpt3-175b-a100 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_NEAR(j["makespan_us"].get<double>() / 1e6, 11.9, 0.1 * 11.9);
  EXPECT_NEAR(j["mfu"].get<double>(), 0.447, 0.05);
  EXPECT_EQ(j["mesh"]["gpus"], 1024);
  EXPECT_EQ(j["over_memory_ranks"], 0);
  // The shipped A100 profile, by name, on the file's 256-GPU run that measured 9,603.6 ms.
  const auto shipped = testing::run_command(
      testing::kExe + " stats --json --hardware a100-megatron --model transformer --vocab 50257 --recompute full "
                      "--schedule 1f1b --d-model 6144 --heads 48 --layers 40 --seq-len 2048 --batch 1024 "
                      "--microbatches 4 --tp 8 --dp 32 --pp 1 2>&1");
  ASSERT_EQ(shipped.exit_code, 0) << shipped.output;
  EXPECT_NEAR(nlohmann::json::parse(shipped.output)["makespan_us"].get<double>() / 1000, 9603.6, 0.15 * 9603.6);
  const auto unknown = testing::run_command(testing::kExe + " stats --hardware a200 2>&1");
  EXPECT_NE(unknown.output.find("or a shipped one: a100-megatron"), std::string::npos) << unknown.output;
  const auto llama = testing::run_command(testing::kExe + " stats --json --preset llama3-70b-h100 2>&1");
  ASSERT_EQ(llama.exit_code, 0) << llama.output;
  EXPECT_EQ(nlohmann::json::parse(llama.output)["over_memory_ranks"], 0);
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

// --gpu sets the GPU's figures (H200: 141 GB); a flag beside it overrides it.
TEST(CliGpu, AGpuByNameSetsItsFiguresAndFlagsBesideItWin) {
  const auto r = testing::run_command(testing::kExe + " stats --json --model transformer --gpu h200 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.output)["gpu_memory_bytes"].get<double>(), 141.0 * 1024 * 1024 * 1024);
  const auto over = testing::run_command(testing::kExe + " stats --json --model transformer --gpu h200 "
                                                         "--gpu-memory-gib 100 2>&1");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(over.output)["gpu_memory_bytes"].get<double>(), 100.0 * 1024 * 1024 * 1024);
  // An A100's 312 TFLOP/s make the same step slower than an H100's 989.
  const auto a100 = testing::run_command(testing::kExe + " stats --json --model transformer --gpu a100-80gb 2>&1");
  const auto h100 = testing::run_command(testing::kExe + " stats --json --model transformer --gpu h100-sxm 2>&1");
  EXPECT_GT(nlohmann::json::parse(a100.output)["makespan_us"].get<double>(),
            2 * nlohmann::json::parse(h100.output)["makespan_us"].get<double>());
  const auto bad = testing::run_command(testing::kExe + " stats --gpu h1000 2>&1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("'h1000' is not a GPU pipescope knows; choose a100-40gb, a100-80gb, h100-sxm, h200, "
                            "b200 or mi300x"),
            std::string::npos)
      << bad.output;
}

}  // namespace
}  // namespace pipescope
