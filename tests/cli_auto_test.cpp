// `--schedule auto` on the command line, run as a user would.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace pipescope {
namespace {

namespace fs = std::filesystem;

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

// At pp 128 and 256 microbatches the search ends at its time bound with an
// answer, and says so (it once ran 76 s with no output).
TEST(CliAuto, ALargeSearchStopsAtItsTimeBoundAndSaysSo) {
  using testing::kExe;
  const std::string big = " --preset zb-h1 --schedule auto --pp 128 --layers 128 --microbatches 256 --batch 256 --dp 1"
                          " --auto-seconds 0.001";
  const auto r = testing::run_command(kExe + " stats --json" + big + " 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_TRUE(j.at("auto").at("stopped_at_time_bound").get<bool>());
  EXPECT_EQ(j.at("auto").at("binding"), "unknown");
  EXPECT_GT(j.at("makespan_us").get<double>(), 0);
  // The text says so too (a small case: a microsecond's bound stops any search after its first order).
  const auto text = testing::run_command(kExe + " stats --preset zb-h1 --schedule auto --auto-seconds 0.000001 2>/dev/null");
  EXPECT_NE(text.output.find("stopped at the time bound, --auto-seconds 1e-06: the best so far"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("binding: not known"), std::string::npos) << text.output;
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

// The exact tier: glpsol solves the LP; on this small case the optimum is
// faster than the heuristic, replays to what it says and fits.
TEST(CliAuto, ExactTierSolvesSmallCasesAndSaysTheGap) {
  using testing::kExe;
  if (testing::run_command("command -v glpsol").exit_code != 0) GTEST_SKIP() << "glpsol (glpk-utils) is not installed";
  const std::string shape =
      " --schedule auto --model transformer --d-model 4096 --heads 32 --seq-len 2048 --layers 24 --pp 3"
      " --microbatches 3 --batch 3 --dp 1 --gpu-memory-gib 45";
  const testing::TempDir dir("cli_exact");
  const auto r = testing::run_command(kExe + " schedule --exact --exact-seconds 120 --format csv" + shape + " > " +
                                      (dir / "exact.csv") + " 2> " + (dir / "err.txt"));
  ASSERT_EQ(r.exit_code, 0);
  std::ifstream err(dir / "err.txt");
  const std::string said((std::istreambuf_iterator<char>(err)), {});
  EXPECT_NE(said.find("exact (optimal)"), std::string::npos) << said;
  // The same shape (the exact tier keeps one stage a rank; stats would pick a V, 10 % faster here).
  const auto heuristic =
      nlohmann::json::parse(testing::run_command(kExe + " stats --json --chunks 1" + shape + " 2>/dev/null").output);
  const std::string replay_shape =
      " --model transformer --d-model 4096 --heads 32 --seq-len 2048 --layers 24 --batch 3 --dp 1 --gpu-memory-gib 45";
  const auto exact = nlohmann::json::parse(
      testing::run_command(kExe + " stats --json --schedule-file " + (dir / "exact.csv") + replay_shape + " 2>/dev/null").output);
  EXPECT_LE(exact.at("makespan_us").get<double>(), heuristic.at("makespan_us").get<double>());
  EXPECT_EQ(exact.at("over_memory_ranks"), 0);
  // --format lp writes the program for any solver; too large a case is refused in one line.
  const auto lp = testing::run_command(kExe + " schedule --format lp" + shape + " 2>/dev/null");
  EXPECT_EQ(lp.output.rfind("\\ pipescope auto-schedule", 0), 0u);
  EXPECT_NE(lp.output.find("Binary"), std::string::npos);
  const auto big = testing::run_command(kExe + " schedule --exact --schedule auto --pp 8 --microbatches 32 --layers 8 2>&1 >/dev/null");
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_EQ(testing::line_count(big.output), 1u) << big.output;
}

// A signal to pipescope while glpsol runs stops glpsol too and leaves no
// scratch folder (a SIGTERM once left glpsol running for --exact-seconds).
class CliExactSignal : public ::testing::TestWithParam<int> {};

TEST_P(CliExactSignal, StopsGlpsolAndRemovesItsScratchFolder) {
  using testing::kExe;
  const testing::TempDir dir("cli_exact_signal");
  fs::create_directories(dir / "bin");
  fs::create_directories(dir / "tmp");
  const std::string pidfile = dir / "glpsol.pid";
  // A solver that never finishes.
  std::ofstream(dir / "bin/glpsol") << "#!/bin/sh\necho $$ > " << pidfile << "\nexec sleep 60\n";
  fs::permissions(dir / "bin/glpsol", fs::perms::owner_all);
  const std::string cmd = "PATH=" + (dir / "bin") + ":/usr/bin:/bin TMPDIR=" + (dir / "tmp") + " exec " + kExe +
                          " schedule --exact --schedule auto --model transformer --d-model 4096 --heads 32"
                          " --seq-len 2048 --layers 24 --pp 3 --microbatches 3 --batch 3 --dp 1 > /dev/null 2> " +
                          (dir / "err.txt");
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Waits for the stand-in to start: a condition, not a guess at a duration.
  for (int i = 0; i < 600 && !fs::exists(pidfile); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(pidfile)) << "the stand-in glpsol never started";
  pid_t glpsol = 0;
  for (int i = 0; i < 100 && glpsol == 0; ++i) {
    std::ifstream(pidfile) >> glpsol;
    if (glpsol == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, GetParam());
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NE(kill(glpsol, 0), 0) << "glpsol was stopped";
  EXPECT_TRUE(fs::is_empty(dir / "tmp")) << "the scratch folder is removed";
  std::string err;
  std::getline(std::ifstream(dir / "err.txt"), err);
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(Signals, CliExactSignal, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : info.param == SIGTERM ? "SIGTERM" : "SIGHUP");
                         });

}  // namespace
}  // namespace pipescope
