// Reading PyTorch's schedule CSV: its 14 files load as the programs we build,
// every zoo program round-trips, and a broken file names line, column and rule.
#include <gtest/gtest.h>

#include "test_files.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "pipescope/model/params.hpp"
#include "pipescope/schedule/program_csv.hpp"
#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace {

using namespace pipescope;

using pipescope::testing::read_file;

struct File {
  ScheduleKind kind;
  const char* name;  // without .compute_only.csv / .compute_comms.csv
  int v;
};

class PyTorchFiles : public ::testing::TestWithParam<File> {};

TEST_P(PyTorchFiles, LoadAsOurPrograms) {
  const File f = GetParam();
  const Program ours = build_program(f.kind, 4, 8, f.v);
  for (const char* form : {".compute_only.csv", ".compute_comms.csv"}) {
    SCOPED_TRACE(form);
    const std::string text = read_file(std::string(PIPESCOPE_TEST_DATA "/pytorch-schedules/") + f.name + form);
    ASSERT_FALSE(text.empty());
    const ParsedSchedule parsed = parse_schedule_csv(text);
    EXPECT_EQ(parsed.program.ranks, 4);
    EXPECT_EQ(parsed.program.stages, 4 * f.v);
    EXPECT_EQ(parsed.program.microbatches, 8);
    EXPECT_EQ(parsed.program.placement, ours.placement);
    EXPECT_EQ(to_csv(parsed.program), to_csv(ours));
    if (std::string(form) == ".compute_comms.csv") {
      // Its sends are the ones the program implies.
      std::set<std::tuple<int, bool, int>> theirs, implied;
      for (const auto& c : parsed.comms) {
        if (c.op == "SEND_F" || c.op == "SEND_B") theirs.emplace(c.stage, c.op == "SEND_B", c.microbatch);
      }
      for (const auto& s : simulate(parsed.program, Costs{}).sends) implied.emplace(s.from_stage, s.backward, s.microbatch);
      EXPECT_EQ(theirs, implied);
    } else {
      EXPECT_TRUE(parsed.comms.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, PyTorchFiles,
    ::testing::Values(File{ScheduleKind::GPipe, "GPipe-p4-m8", 1}, File{ScheduleKind::OneFOneB, "1F1B-p4-m8", 1},
                      File{ScheduleKind::Interleaved1F1B, "Interleaved1F1B-p4-m8-v2", 2},
                      File{ScheduleKind::LoopedBFS, "LoopedBFS-p4-m8-v2", 2},
                      File{ScheduleKind::InterleavedZB, "InterleavedZeroBubble-p4-m8-v2", 2},
                      File{ScheduleKind::ZBV, "ZBVZeroBubble-p4-m8-v2", 2},
                      File{ScheduleKind::DualPipeV, "DualPipeV-p4-m8-v2", 2}),
    [](const ::testing::TestParamInfo<File>& info) { return std::string(schedule_info(info.param.kind).pytorch); });

TEST(ScheduleCsv, EveryZooProgramRoundTrips) {
  for (const auto& info : schedule_catalog()) {
    for (int p : {2, 3, 4}) {
      const int m = 2 * p, v = info.default_chunks;
      if (schedule_rule_broken(info.kind, p, m, v)) continue;
      const Program prog = build_program(info.kind, p, m, v);
      const std::string csv = to_csv(prog);
      const ParsedSchedule back = parse_schedule_csv(csv);
      EXPECT_EQ(to_csv(back.program), csv) << info.name << " p " << p;
      EXPECT_EQ(back.program.placement, prog.placement) << info.name << " p " << p;
    }
  }
}

struct Broken {
  const char* what;
  std::string_view csv;
  const char* must_say;
};

class BrokenCsv : public ::testing::TestWithParam<Broken> {};

TEST_P(BrokenCsv, NamesLineColumnAndRule) {
  try {
    parse_schedule_csv(GetParam().csv);
    FAIL() << "accepted: " << GetParam().csv;
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().must_say), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, BrokenCsv,
    ::testing::Values(
        Broken{"unknown_action", "0F0,0X0\n", "line 1, column 5: '0X0' is not an action"},
        Broken{"no_stage", "F0,0B0\n", "line 1, column 1: 'F0' does not start with a stage number"},
        Broken{"no_microbatch", "0F0,0B\n", "column 5: '0B' is not an action: a microbatch number"},
        Broken{"repeated", "0F0,0F0,0B0\n", "line 1, column 5: 0F0 appears twice"},
        Broken{"missing_backward", "0F0,0F1,0B0\n", "the backward of stage 0 microbatch 1 is missing"},
        Broken{"missing_forward", "0F0,0B0,0B1\n", "0F1 is missing"},
        Broken{"b_and_i", "0F0,0B0,0I0,0W0\n", "0B0 and 0I0 both appear"},
        Broken{"wrong_rank", "0F0,0B0,2F0,2B0\n1F0,1B0,3F0,3B0\n4F0,4B0,5F0,5B0\n", "stage 2 is on rank 0"},
        Broken{"stage_two_ranks", "0F0,0B0\n0F1,0B1\n", "stage 0 runs on rank 1 here but on rank 0 earlier"},
        Broken{"bad_overlap", "0F0,(0F1)OVERLAP_F_B\n", "OVERLAP_F_B holds two actions"},
        Broken{"overlap_wrong_kinds", "0F0,(0B0;1F0)OVERLAP_F_B\n", "a forward then a full backward"},
        Broken{"empty", "", "no compute actions"},
        // Over 7 digits is a number too, beyond the bound (it was "no stage number").
        Broken{"huge_stage", "99999999F0\n", "'99999999F0': stage 99999999 is beyond 1000000"},
        Broken{"huger_stage", "99999999999999999999999F0\n", "is beyond 1000000"},
        Broken{"huge_microbatch", "0F12345678\n", "microbatch 12345678 is beyond 1000000"},
        // A byte-order mark is not part of the first cell. A blank line is
        // PyTorch's rank with no actions: refused, naming it (issue 22).
        Broken{"bom_then_bad", "\xEF\xBB\xBF" "0Q0\n", "line 1, column 1: '0Q0' is not an action"},
        Broken{"blank_lines", "0F0,0B0\n\n   \n1F0,1B0\n\n2X0\n", "line 2, column 1: the line is blank, and PyTorch"},
        Broken{"spaces_line", "0F0,0B0\n   \n", "line 2, column 1: the line is blank"},
        Broken{"blank_last", "0F0,0B0\r\n\r\n", "line 2, column 1: the line is blank"},
        // Per-stage actions take no microbatch; sends and receives need one.
        Broken{"unshard_microbatch", "0F0,0UNSHARD5,0B0\n", "UNSHARD acts on a whole stage and takes no microbatch"},
        Broken{"send_no_microbatch", "0F0,0SEND_F,0B0\n1F0,1B0\n", "SEND_F moves one microbatch"},
        // A NUL in a cell is quoted escaped, and the rule still follows it.
        Broken{"nul", std::string_view("0F0,0B0\0zz\n", 12), "'0B0\\x00zz' is not an action: a microbatch number must end it"},
        Broken{"uneven_stages", "0F0,0B0,2F0,2B0\n1F0,1B0\n", "do not divide among 2 ranks"},
        // Lowered files: their sends must be the program's own.
        Broken{"send_missing", "0F0,0SEND_F0,0RECV_B0,0B0\n1F0,1B0,1SEND_B0\n", "1RECV_F0 is missing on rank 1"},
        Broken{"send_not_implied", "0F0,0SEND_F0,0SEND_F1,0RECV_B0,0B0\n1RECV_F0,1F0,1B0,1SEND_B0\n",
               "line 1, column 14: '0SEND_F1' is not a send the program implies"},
        Broken{"send_wrong_rank", "0F0,0SEND_F0,0RECV_B0,0B0,1SEND_B0\n1RECV_F0,1F0,1B0\n",
               "'1SEND_B0' is on rank 0, but stage 1 lives on rank 1"},
        Broken{"send_twice", "0F0,0SEND_F0,0SEND_F0,0RECV_B0,0B0\n1RECV_F0,1F0,1B0,1SEND_B0\n",
               "line 1, column 14: '0SEND_F0' appears twice"},
        Broken{"unshard_elsewhere", "0F0,0B0,1UNSHARD\n1F0,1B0\n", "'1UNSHARD' is on rank 0, but stage 1"}),
    [](const ::testing::TestParamInfo<Broken>& info) { return std::string(info.param.what); });

TEST(ScheduleCsv, ACyclicFileLoadsButCannotBeTimed) {
  const ParsedSchedule parsed = parse_schedule_csv("0B0,0F0\n1F0,1B0\n");
  EXPECT_THROW(simulate(parsed.program, Costs{}), Deadlock);
}

TEST(ScheduleFile, ADeadlockIsRefusedNamingTheCycleRankByRank) {
  // Rank 0 waits for 1's backward before running its forward; rank 1 waits for that forward.
  try {
    schedule_from_csv("cycle.csv", "0B0,0F0\n1F0,1B0\n");
    FAIL() << "a cyclic program was accepted";
  } catch (const ScheduleFileError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("cycle.csv: the program deadlocks: ", 0), 0u) << what;
    EXPECT_NE(what.find("rank 0"), std::string::npos) << what;
    EXPECT_NE(what.find("rank 1"), std::string::npos) << what;
  }
}

TEST(ScheduleFile, ParseErrorsCarryThePath) {
  try {
    schedule_from_csv("dir/mine.csv", "0F0,0Q0\n");
    FAIL();
  } catch (const ScheduleFileError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("dir/mine.csv: line 1, column 5: '0Q0' is not an action", 0), 0u) << e.what();
  }
}

// A loaded file stands in for the built-in schedule it came from: the same
// plan, frame for frame, and the same animation.
TEST(ScheduleFile, StandsInForTheBuiltInScheduleItCameFrom) {
  const auto file = load_schedule_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/DualPipeV-p4-m8-v2.compute_comms.csv");
  EXPECT_EQ(file->name, "DualPipeV-p4-m8-v2.compute_comms.csv");
  Params built;
  built.schedule = ScheduleKind::DualPipeV;
  built.pp = 4;
  built.microbatches = 8;
  built.L = 8;
  Params loaded = built;
  loaded.schedule = ScheduleKind::Notebook;  // ignored: the file replaces it
  loaded.schedule_file = file;
  ASSERT_TRUE(validate(loaded).empty()) << validate(loaded).front().message;
  EXPECT_FALSE(loaded.is_notebook());
  EXPECT_EQ(loaded.stages_per_rank(), 2);
  EXPECT_EQ(loaded.rank_of_stage(7), 0);
  const SchedulePlan a = make_plan(built), b = make_plan(loaded);
  EXPECT_EQ(a.timing.makespan, b.timing.makespan);
  ASSERT_EQ(a.timing.per_rank.size(), b.timing.per_rank.size());
  for (std::size_t r = 0; r < a.timing.per_rank.size(); ++r) {
    ASSERT_EQ(a.timing.per_rank[r].size(), b.timing.per_rank[r].size());
    for (std::size_t k = 0; k < a.timing.per_rank[r].size(); ++k) {
      EXPECT_EQ(a.timing.per_rank[r][k].start, b.timing.per_rank[r][k].start);
    }
  }
}

TEST(ScheduleFile, ParametersThatDisagreeWithTheFileAreNamed) {
  Params p;
  p.schedule_file = load_schedule_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv");
  p.pp = 3;
  p.microbatches = 9;
  p.chunks = 2;
  p.L = 8;
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "pp");
  EXPECT_NE(errors[0].message.find("has 4 ranks"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[1].field, "microbatches");
  EXPECT_EQ(errors[2].field, "chunks");
}

TEST(ScheduleFile, UnreadableFilesSayWhy) {
  EXPECT_THROW(load_schedule_file("/no/such/file.csv"), ScheduleFileError);
  try {
    load_schedule_file(PIPESCOPE_TEST_DATA);
    FAIL();
  } catch (const ScheduleFileError& e) {
    EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos) << e.what();
  }
}

}  // namespace
