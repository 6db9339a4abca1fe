// `pipescope plan` run as a user would: its JSON and CSV, a saved best layout
// that `stats` opens to the same step, and bad input refused in one line.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace pipescope {
namespace {

using testing::kExe;
using testing::line_count;
using testing::run_command;

// Llama 3 70B on 64 H100s: the preset gives the model and cluster.
const std::string kLlama = " --preset llama3-70b-h100 --gpus 64";

TEST(CliPlan, JsonRanksFittingLayoutsFastestFirstAndEachLoadsAsASession) {
  const testing::TempDir dir("cli_plan");
  const auto r = run_command(kExe + " plan --json --top 5" + kLlama + " --save-best " + (dir / "best.json") + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j.at("layouts").size(), 5u);
  EXPECT_GT(j.at("evaluated").get<int>(), 1000);
  EXPECT_GT(j.at("simulated").get<int>(), 0);
  EXPECT_LT(j.at("simulated").get<int>(), j.at("evaluated").get<int>());
  double previous = 0;
  for (const auto& l : j.at("layouts")) {
    for (const char* key : {"tp", "cp", "ep", "pp", "dp", "chunks", "microbatches", "recompute", "zero", "schedule",
                            "makespan_us", "peak_memory_bytes", "fits", "tokens_per_second", "mfu", "binds"}) {
      EXPECT_TRUE(l.contains(key)) << key;
    }
    EXPECT_TRUE(l.at("fits").get<bool>());
    EXPECT_EQ(l.at("tp").get<int>() * l.at("cp").get<int>() * l.at("pp").get<int>() * l.at("dp").get<int>(), 64);
    EXPECT_LE(l.at("peak_memory_bytes").get<double>(), 80.0 * (1 << 30));
    EXPECT_GE(l.at("makespan_us").get<double>(), previous);
    previous = l.at("makespan_us").get<double>();
  }
  // The saved best is the first row: stats of it gives the same step and peak.
  const auto& best = j.at("layouts").front();
  const auto stats = nlohmann::json::parse(
      run_command(kExe + " stats --json --session " + (dir / "best.json") + " 2>/dev/null").output);
  EXPECT_DOUBLE_EQ(stats.at("makespan_us").get<double>(), best.at("makespan_us").get<double>());
  EXPECT_EQ(stats.at("schedule"), best.at("schedule"));
  EXPECT_EQ(stats.at("tp"), best.at("tp"));
  // And so do its flags, given to stats on the preset's model.
  const auto flagged = nlohmann::json::parse(
      run_command(kExe + " stats --json --preset llama3-70b-h100 " + best.at("flags").get<std::string>() +
                  " 2>/dev/null")
          .output);
  EXPECT_DOUBLE_EQ(flagged.at("makespan_us").get<double>(), best.at("makespan_us").get<double>());
  // The front: memory up, time down.
  const auto& front = j.at("front");
  ASSERT_GE(front.size(), 2u);
  for (std::size_t i = 1; i < front.size(); ++i) {
    EXPECT_GT(front[i].at("peak_memory_bytes").get<double>(), front[i - 1].at("peak_memory_bytes").get<double>());
    EXPECT_LT(front[i].at("makespan_us").get<double>(), front[i - 1].at("makespan_us").get<double>());
  }
}

TEST(CliPlan, CsvHasARowALayoutAndTextSaysWhatBinds) {
  const auto csv = run_command(kExe + " plan --format csv --top 3 --fix tp=8 --fix recompute=selective" + kLlama);
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_EQ(line_count(csv.output), 4u) << csv.output;
  EXPECT_EQ(csv.output.rfind("rank,tp,cp,ep,pp,dp,", 0), 0u) << csv.output;
  EXPECT_NE(csv.output.find("\n1,8,"), std::string::npos) << csv.output;
  const auto text = run_command(kExe + " plan --top 3" + kLlama);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("fastest that fits: pipescope stats --tp"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("memory-versus-time front"), std::string::npos) << text.output;
}

TEST(CliPlan, BadInputIsOneLineSayingWhatWouldWork) {
  struct Case {
    std::string flags, says;
  };
  for (const Case& c : std::vector<Case>{
           {" --preset llama3-70b-h100 --gpus 7", "no layout uses 7 GPUs"},
           {" --preset llama3-70b-h100 --gpus 8 --gpu-memory-gib 10", "the least memory any needs is"},
           {kLlama + " --fix tp=8,pp=16", "the fixes tp=8, pp=16 cannot hold together on 64 GPUs"},
           {kLlama + " --fix tp=3", "--fix tp=3: no layout of 64 GPUs has it"},
           {kLlama + " --fix tensor=8", "'tensor' is not a layout key"},
           {" --gpus 8", "plan lays out a transformer"},
           {kLlama + " --save-best /nonexistent/best.json", "--save-best"},
           {" --preset llama3-70b-h100 --gpus 0", "--gpus is 0, but it must be from 1 to 10000000"},
           // Once wrapped a doubling loop to 0 and divided by it.
           {" --preset llama3-70b-h100 --gpus 99999999999999999999", "must be from 1 to 10000000"},
           // Far from every layout: once walked a billion counts looking for the nearest.
           {" --preset llama3-70b-h100 --gpus 1000007", "counts that work near it:"},
       }) {
    const auto r = run_command(kExe + " plan" + c.flags + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << c.flags << "\n" << r.output;
    EXPECT_EQ(line_count(r.output), 1u) << c.flags << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.flags << "\n" << r.output;
  }
}

}  // namespace
}  // namespace pipescope
