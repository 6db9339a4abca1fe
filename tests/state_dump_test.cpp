#include <gtest/gtest.h>

#include "support.hpp"

#include <fstream>
#include <map>
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

// --owners: each object's kind and GPUs (global ranks, Megatron's order: tp
// innermost, then cp, dp, pp), worked here from the object's id and the mesh
// by hand; without it the header is unchanged (the tests above).
TEST(StateDump, OwnersNameEachObjectsKindAndGpus) {
  using namespace pipescope;
  Params p = pipescope::testing::small_transformer_on_mesh(2);
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const Scene scene(p);
  const Layout& layout = scene.layout();
  std::stringstream dump;
  write_state_dump(dump, layout, scene.timeline(), nullptr, {.owners = true});
  std::string first_line;
  std::getline(dump, first_line);
  const auto header = nlohmann::json::parse(first_line);
  const auto& owners = header.at("owners");
  ASSERT_EQ(owners.size(), header.at("objects").size());
  const std::map<std::string, std::string> kinds = {{"W1", "weight1"}, {"W2", "weight2"}, {"h", "hidden"},
                                                    {"x", "residual"}, {"xin", "stage_input"}, {"F1", "flop1"},
                                                    {"F2", "flop2"}, {"P2P", "pipe_send"}, {"AR1", "all_reduce1"},
                                                    {"AR2", "all_reduce2"}, {"TP", "tp_all_reduce"},
                                                    {"TPin", "tp_all_reduce_in"}};
  int checked = 0;
  for (const auto& [id, o] : owners.items()) {
    // "F1/r1/l3/m0": kind, replica, layer (or stage for xin and P2P), microbatch.
    std::vector<std::string> parts;
    std::stringstream ss(id);
    for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
    ASSERT_GE(parts.size(), 3u) << id;
    EXPECT_EQ(o.at("kind"), kinds.at(parts[0])) << id;
    const int replica = std::stoi(parts[1].substr(1));
    const int index = std::stoi(parts[2].substr(1));
    const bool per_stage = parts[0] == "xin" || parts[0] == "P2P" || parts[0] == "TPin";
    const int stage = per_stage ? index : index / 2;  // 4 layers on 2 stages
    EXPECT_EQ(o.at("replica"), replica) << id;
    EXPECT_EQ(o.at("stage"), stage) << id;
    if (parts.size() == 4) EXPECT_EQ(o.at("microbatch"), std::stoi(parts[3].substr(1))) << id;
    else EXPECT_TRUE(o.at("microbatch").is_null()) << id;
    // GPU = tp + 2 x (dp + 2 x pp): replica r's stage s is GPUs 2(r + 2s) and 2(r + 2s) + 1.
    const int first = 2 * (replica + 2 * stage);
    EXPECT_EQ(o.at("gpu"), first) << id;
    std::vector<int> gpus = {first, first + 1};
    if (parts[0] == "AR1" || parts[0] == "AR2") gpus.insert(gpus.end(), {first + 2, first + 3});  // and the next replica
    EXPECT_EQ(o.at("gpus").get<std::vector<int>>(), gpus) << id;
    // tp 2 cuts the matmuls, their weights, the hidden activation and the
    // exchanges along x, one piece a GPU; the residual side is replicated.
    const bool cut = parts[0] == "W1" || parts[0] == "W2" || parts[0] == "h" || parts[0] == "F1" ||
                     parts[0] == "F2" || parts[0] == "AR1" || parts[0] == "AR2";
    const auto& pieces = o.at("pieces");
    EXPECT_EQ(pieces.at("along_x"), cut ? 2 : 1) << id;
    EXPECT_EQ(pieces.at("along_y"), 1) << id;
    const std::vector<int> piece_gpus = cut ? std::vector<int>{first, first + 1} : std::vector<int>{first};
    EXPECT_EQ(pieces.at("gpus").get<std::vector<int>>(), piece_gpus) << id;
    EXPECT_EQ(pieces.at("owned"), parts[0] != "AR1" && parts[0] != "AR2" && cut) << id;
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(layout.size()));
  EXPECT_EQ(owners.count("TP/r1/l3/m1"), 1u) << "a tp all-reduce per layer and microbatch";
  EXPECT_EQ(owners.count("TPin/r0/s1/m0"), 1u) << "and one per stage input";
}

TEST(StateDump, EveryPieceOfACutCuboidBelongsToItsGpu) {
  // tp 2 x cp 2 x dp 2 x pp 2 with sequence parallelism, worked by hand in
  // Megatron's order, GPU = t + 2 (c + 2 (d + 2 p)): replica 1's stage 1
  // starts at GPU 2 (0 + 2 (1 + 2)) = 12.
  using namespace pipescope;
  Params p = pipescope::testing::small_transformer_on_mesh(2);
  p.cp = 2;
  p.sp = 1;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const Scene scene(p);
  std::stringstream dump;
  write_state_dump(dump, scene.layout(), scene.timeline(), nullptr, {.owners = true});
  std::string first_line;
  std::getline(dump, first_line);
  const auto owners = nlohmann::json::parse(first_line).at("owners");
  // A matmul: x by tp (GPUs 12, 13), y by cp (the next cp rank, 2 on: 14, 15).
  const auto& flop = owners.at("F1/r1/l2/m0").at("pieces");
  EXPECT_EQ(flop.at("along_x"), 2);
  EXPECT_EQ(flop.at("along_y"), 2);
  EXPECT_EQ(flop.at("gpus").get<std::vector<int>>(), (std::vector<int>{12, 13, 14, 15}));
  EXPECT_TRUE(flop.at("owned"));
  // A residual under sp: its tokens over cp x tp, consecutive ranks.
  const auto& residual = owners.at("x/r1/l3/m1").at("pieces");
  EXPECT_EQ(residual.at("along_x"), 1);
  EXPECT_EQ(residual.at("along_y"), 4);
  EXPECT_EQ(residual.at("gpus").get<std::vector<int>>(), (std::vector<int>{12, 13, 14, 15}));
  EXPECT_TRUE(residual.at("owned"));
  // A weight: cut by tp, the same shard on both cp ranks.
  const auto& weight = owners.at("W1/r1/l2").at("pieces");
  EXPECT_EQ(weight.at("along_x"), 2);
  EXPECT_EQ(weight.at("along_y"), 1);
  EXPECT_EQ(weight.at("gpus").get<std::vector<int>>(), (std::vector<int>{12, 13}));
  EXPECT_FALSE(weight.at("owned"));
  // Replica 0's stage 0: GPUs 0-3.
  EXPECT_EQ(owners.at("F2/r0/l0/m1").at("pieces").at("gpus").get<std::vector<int>>(), (std::vector<int>{0, 1, 2, 3}));
}

}  // namespace
