#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/analysis/state_dump.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope {
namespace {

std::vector<std::string> lines_of(std::istream& in) {
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Our dump of `p`, line by line.
std::vector<std::string> dump_lines(const Params& p) {
  const Layout layout(p);
  const Timeline timeline(layout, *make_notebook_schedule());
  std::stringstream dump;
  write_state_dump(dump, layout, timeline);
  return lines_of(dump);
}

TEST(StateDump, DefaultSceneMatchesTheNotebooksRecordingFrameByFrame) {
  std::ifstream oracle_file(PIPESCOPE_TEST_DATA "/seed-default.jsonl");
  ASSERT_TRUE(oracle_file) << "missing " PIPESCOPE_TEST_DATA "/seed-default.jsonl";
  const auto oracle = lines_of(oracle_file);
  const auto ours = dump_lines(Params{});

  ASSERT_EQ(ours.size(), oracle.size());
  EXPECT_EQ(ours.front(), oracle.front()) << "header differs";
  for (std::size_t i = 1; i < oracle.size(); ++i) {
    // Line i is frame i - 1; report the first few differing frames by number.
    EXPECT_EQ(ours[i], oracle[i]) << "frame " << i - 1;
    if (HasFailure() && i > 5) break;
  }
}

// Recordings of the notebook run with other parameters (made by
// tests/tools/record_notebook.py): fractional batch slabs, where the notebook
// truncates some coordinates, and layers >= 10, where its labels misplace
// the superscript.
class NotebookRecording : public ::testing::TestWithParam<const char*> {};

TEST_P(NotebookRecording, DumpMatchesByteForByte) {
  std::ifstream file(std::string(PIPESCOPE_TEST_DATA "/") + GetParam());
  ASSERT_TRUE(file) << GetParam();
  const auto reference = lines_of(file);
  const auto meta = nlohmann::json::parse(reference.front())["meta"];
  Params p;
  p.d_model = meta["d_model"];
  p.d_hidden = meta["d_hidden"].get<std::int64_t>();
  p.B = meta["B"];
  p.L = meta["L"];
  p.dp = meta["dp"];
  p.pp = meta["pp"];
  p.microbatches = meta["microbatches"];
  p.dp_gpu_delta = meta["dp_gpu_delta"];
  p.pp_gpu_delta = meta["pp_gpu_delta"];
  p.pp_comm_steps = meta["pp_comm_steps"];
  p.dp_comm_steps = meta["dp_comm_steps"];

  const auto ours = dump_lines(p);
  ASSERT_EQ(ours.size(), reference.size());
  EXPECT_EQ(ours.front(), reference.front()) << "header differs";
  for (std::size_t i = 1; i < reference.size() && !HasFailure(); ++i) {
    EXPECT_EQ(ours[i], reference[i]) << "frame " << i - 1;
  }
}

INSTANTIATE_TEST_SUITE_P(OtherParams, NotebookRecording,
                         ::testing::Values("notebook-fractional-batch.jsonl",
                                           "notebook-twelve-layers.jsonl"),
                         [](const auto& info) {
                           return std::string(info.param).find("fractional") != std::string::npos
                                      ? "FractionalBatch"
                                      : "TwelveLayers";
                         });

TEST(StateDump, PythonFloatRepr) {
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(-8.0), "-8.0");
  EXPECT_EQ(python_float_repr(24.0), "24.0");
  EXPECT_EQ(python_float_repr(50.0 / 3.0 / 7.0), "2.380952380952381");
  EXPECT_EQ(python_float_repr(24.0 / 7.0), "3.4285714285714284");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(123.456), "123.456");
}

TEST(StateDump, FramesLineCountsTheSteps) {
  Params p;
  p.dp = 1;
  p.pp = 1;
  p.L = 2;
  p.microbatches = 1;
  const Layout layout(p);
  const Timeline timeline(layout, *make_notebook_schedule());
  std::stringstream dump;
  write_state_dump(dump, layout, timeline);
  const auto lines = lines_of(dump);
  ASSERT_EQ(lines.size(), timeline.last_frame() + 3u);  // header, frames 0..N, count
  EXPECT_EQ(lines.back(), "{\"frames\": " + std::to_string(timeline.last_frame()) + "}");
  EXPECT_EQ(lines[1].rfind("{\"frame\": 0, \"state\": {\"W1/r0/l0\": \"blue\"", 0), 0u) << lines[1];
}

}  // namespace
}  // namespace pipescope

#include "pipescope/animate/scene.hpp"
#include "test_params.hpp"

namespace {

// The size a dump will take is known before it is written (so a huge one is
// refused up front): exactly its frame lines' bytes, for every shape of scene
// and schedule.
TEST(StateDump, ItsSizeIsKnownBeforeItIsWritten) {
  auto shapes = pipescope::testing::varied_params();
  pipescope::Params zoo;
  zoo.schedule = pipescope::ScheduleKind::ZBV;
  zoo.pp = 2;
  zoo.L = 4;
  zoo.microbatches = 4;
  shapes.push_back(zoo);
  for (const pipescope::Params& p : shapes) {
    const pipescope::Scene scene(p);
    std::ostringstream out;
    ASSERT_TRUE(pipescope::write_state_dump(out, scene.layout(), scene.timeline()));
    const std::string text = out.str();
    const std::size_t header = text.find('\n') + 1;
    const std::size_t footer = text.size() - (text.rfind('\n', text.size() - 2) + 1);
    EXPECT_EQ(pipescope::state_dump_frames_bytes(scene.layout(), scene.timeline()), text.size() - header - footer);
  }
}

}  // namespace
