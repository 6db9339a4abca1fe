// Measured runs made hostile or odd (issue 22): tokens that inflate to
// gigabytes, distributedInfo written wrongly, steps that disagree or run
// long, labels that overlap, link loops, a run's event budget. Each is one
// clear message (or read as meant), never gigabytes of memory.

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pipescope/measured/kineto_trace.hpp"
#include "pipescope/measured/measured_run.hpp"
#include "measured_files.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

using nlohmann::json;
using testing::TempDir;
namespace fs = std::filesystem;

const std::string& kData = testing::kMeasuredData;
using testing::rank_file;
using testing::read_trace;


// A set's ranks written to `dir`, each edited by `edit(rank, trace)` first.
void write_set(const TempDir& dir, const std::string& set, const std::function<void(int, json&)>& edit) {
  for (int r = 0; r < 4; ++r) {
    json x = read_trace(rank_file(set, r));
    edit(r, x);
    std::ofstream(dir / ("rank" + std::to_string(r) + ".json")) << x.dump();
  }
}

std::string error_of(const std::vector<std::string>& paths, std::optional<int> step = std::nullopt,
                     const TraceLimits& limits = {}) {
  try {
    load_measured_run(paths, step, limits);
  } catch (const MeasuredRunError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// A gzipped file: `head`, then `fill` repeated `count` times, then `tail`.
void write_bomb(const std::string& path, const std::string& head, char fill, std::size_t count, const std::string& tail) {
  gzFile f = gzopen(path.c_str(), "wb9");
  gzwrite(f, head.data(), static_cast<unsigned>(head.size()));
  const std::string block(1 << 20, fill);
  for (std::size_t done = 0; done < count; done += block.size()) {
    gzwrite(f, block.data(), static_cast<unsigned>(std::min(block.size(), count - done)));
  }
  gzwrite(f, tail.data(), static_cast<unsigned>(tail.size()));
  gzclose(f);
}

TEST(MeasuredHostile, ATokenPastItsCapIsRefusedWhileStreaming) {
  const TempDir dir("measured_bombs");
  const std::size_t over = kMaxTraceTokenBytes + (1 << 20);
  write_bomb(dir / "string.json.gz", R"({"traceEvents": [{"name": ")", 'a', over, R"("}]})");
  write_bomb(dir / "number.json.gz", R"({"traceEvents": [)", '7', over, "]}");
  write_bomb(dir / "spaces.json.gz", R"({"traceEvents": [)", ' ', over, "]}");
  const std::pair<const char*, const char*> cases[] = {
      {"string.json.gz", "has a string of more than 16 MiB"},
      {"number.json.gz", "has a number or word of more than 16 MiB"},
      {"spaces.json.gz", "has a run of spaces of more than 16 MiB"}};
  for (const auto& [file, says] : cases) {
    const std::string e = error_of({dir / file});
    EXPECT_NE(e.find(says), std::string::npos) << e;
  }
  // A long token under the cap is read as any other (and this file fails for what it lacks).
  write_bomb(dir / "long.json.gz", R"({"traceEvents": [{"ph": "X", "cat": "cpu_op", "ts": 1, "dur": 1, "name": ")", 'a',
             1 << 20, R"("}]})");
  const std::string e = error_of({dir / "long.json.gz"});
  EXPECT_EQ(e.find("more than"), std::string::npos) << e;
  EXPECT_NE(e.find("has no distributedInfo"), std::string::npos) << e;
}

TEST(MeasuredHostile, TheReadersEventBudgetIsARunsNotJustAFiles) {
  // What is left of the run's budget is the reader's cap for the next file.
  try {
    read_kineto_trace(rank_file("1f1b-p4-m8", 0), {}, kMaxRunEvents - 10);
    ADD_FAILURE() << "read past its budget";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("brings the run's traces past"), std::string::npos) << e.what();
  }
  EXPECT_GT(read_kineto_trace(rank_file("1f1b-p4-m8", 0)).events.size(), 10u);
  // And a file's own cap, through a run: the first file past it is named.
  const std::string e = error_of({kData + "1f1b-p4-m8"}, std::nullopt, TraceLimits{.file_events = 10});
  EXPECT_NE(e.find("rank0.json.gz: holds more than 10 events"), std::string::npos) << e;
  const std::string run = error_of({kData + "1f1b-p4-m8"}, std::nullopt,
                                   TraceLimits{.run_events = read_kineto_trace(rank_file("1f1b-p4-m8", 0)).events.size() + 10});
  EXPECT_NE(run.find("rank1.json.gz: brings the run's traces past"), std::string::npos) << run;
}

TEST(MeasuredHostile, DistributedInfoWrittenWronglyIsSaidAsWritten) {
  const std::pair<json, std::string> cases[] = {
      {json{{"rank", "3"}, {"world_size", 4}}, "distributedInfo's rank is \"3\" (a string)"},
      {json{{"rank", 2.5}, {"world_size", 4}}, "distributedInfo's rank is 2.5 (not a whole number)"},
      {json{{"rank", -3}, {"world_size", 4}}, "distributedInfo's rank is -3: it must be 0 or more"},
      {json{{"rank", 1}, {"world_size", 0}}, "distributedInfo's world_size is 0: it must be 1 or more"}};
  const TempDir dir("measured_distributed");
  for (const auto& [info, says] : cases) {
    json t = read_trace(rank_file("1f1b-p4-m8", 1));
    t["distributedInfo"] = info;
    std::ofstream(dir / "t.json") << t.dump();
    const std::string e = error_of({dir / "t.json"});
    EXPECT_NE(e.find(says), std::string::npos) << e;
    EXPECT_EQ(e.find("has no distributedInfo"), std::string::npos) << e;
  }
  // 3.0 is a whole number: read as rank 3.
  const TempDir set("measured_float_rank");
  write_set(set, "1f1b-p4-m8", [](int r, json& t) {
    if (r == 3) t["distributedInfo"]["rank"] = 3.0;
  });
  EXPECT_EQ(load_measured_run({set.path().string()})->ranks.size(), 4u);
}

TEST(MeasuredHostile, StepsThatDisagreeNameTheRankThatLeavesNoneInCommon) {
  const TempDir dir("measured_steps_disagree");
  write_set(dir, "1f1b-p4-m8", [](int r, json& t) {
    if (r != 2) return;
    for (json& e : t["traceEvents"]) {
      if (e.value("name", "") == "ProfilerStep#1") e["name"] = "ProfilerStep#2";
    }
  });
  const std::string e = error_of({dir.path().string()});
  EXPECT_NE(e.find("rank2.json (rank 2) has steps #2, but the ranks before it share only #1"), std::string::npos) << e;
}

TEST(MeasuredHostile, LongStepNumbersAndStepsOlderThanTheLastFewAreRead) {
  const auto plain = load_measured_run({kData + "1f1b-p4-m8"});
  // Nine digits: a long run's step count.
  const TempDir dir("measured_long_steps");
  write_set(dir, "1f1b-p4-m8", [](int, json& t) {
    for (json& e : t["traceEvents"]) {
      if (e.value("name", "") == "ProfilerStep#1") e["name"] = "ProfilerStep#123456789";
    }
  });
  const auto run = load_measured_run({dir.path().string()});
  EXPECT_EQ(run->step, 123456789);
  EXPECT_EQ(run->makespan, plain->makespan);
  // Ranks 0-2 recorded five more (empty) steps after #1; rank 3 only #1: #1
  // is the last step all share, older than the few each file keeps, and is read.
  const TempDir older("measured_older_step");
  write_set(older, "1f1b-p4-m8", [](int r, json& t) {
    if (r == 3) return;
    json step;
    for (const json& e : t["traceEvents"]) {
      if (e.value("name", "") == "ProfilerStep#1") step = e;
    }
    for (int k = 2; k <= 6; ++k) {
      json extra = step;
      extra["name"] = "ProfilerStep#" + std::to_string(k);
      extra["ts"] = step["ts"].get<double>() + step["dur"].get<double>() * k;
      extra["dur"] = 10.0;
      t["traceEvents"].push_back(extra);
    }
  });
  const auto again = load_measured_run({older.path().string()});
  EXPECT_EQ(again->step, 1);
  EXPECT_EQ(again->makespan, plain->makespan);
  EXPECT_EQ(again->program.per_rank, plain->program.per_rank);
}

TEST(MeasuredHostile, LabelsThatOverlapOnARankAreRefused) {
  const TempDir dir("measured_overlap");
  write_set(dir, "interleaved-zb-p4-m8-v2", [](int r, json& t) {
    if (r != 2) return;
    json twin;
    for (const json& e : t["traceEvents"]) {
      if (e.value("name", "") == "PP:2F3" && e.value("cat", "") == "user_annotation") twin = e;
    }
    twin["ts"] = twin["ts"].get<double>() + 1;  // the same pass, labelled again inside itself
    twin["dur"] = twin["dur"].get<double>() - 2;
    t["traceEvents"].push_back(twin);
  });
  const std::string e = error_of({dir.path().string()});
  EXPECT_NE(e.find("(rank 2): its labels PP:2F3 and PP:2F3 overlap"), std::string::npos) << e;
}

TEST(MeasuredHostile, ALinkLoopIsSaidAsOneNotAsMissing) {
  const TempDir dir("measured_loop");
  fs::create_symlink(dir / "b", dir / "a");
  fs::create_symlink(dir / "a", dir / "b");
  const std::string e = error_of({dir / "a"});
  EXPECT_EQ(e.find("does not exist"), std::string::npos) << e;
  EXPECT_NE(e.find("symbolic links"), std::string::npos) << e;
  EXPECT_NE(error_of({""}).find("--measured is empty"), std::string::npos);
}

}  // namespace
}  // namespace pipescope
