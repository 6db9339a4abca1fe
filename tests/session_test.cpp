// Sessions: what is saved is what comes back, a bad value is refused naming
// its key path and nothing is applied, unknown keys are warned about, and
// every shipped preset loads.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "presets.hpp"
#include "session.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "support.hpp"
#include <nlohmann/json.hpp>

namespace {

using namespace pipescope;
using namespace pipescope::app;

Session a_session() {
  Session s;
  s.params.schedule = ScheduleKind::ZBV;
  s.params.pp = 2;
  s.params.L = 4;
  s.params.microbatches = 4;
  s.params.cost_w = 2;
  s.params.d_hidden = 20;
  // Real units: a model's kind, a real number, a per-stage list.
  s.params.model = CostModel::Transformer;
  s.params.d_model = 64;
  s.params.heads = 4;
  s.params.B = 8;
  s.params.mfu = 0.55;
  s.params.p2p_latency_us = 2.5;
  s.params.time_f = {1200, 1200, 1500, 900};
  s.params.time_i = {2400};
  s.params.time_w = {1100};
  // The parallelism and the cluster: choices by name, an optional bandwidth set.
  s.params.tp = 2;
  s.params.cp = 2;
  s.params.zero = 1;
  s.params.recompute = static_cast<std::int64_t>(Recompute::Selective);
  s.params.mlp = static_cast<std::int64_t>(Mlp::Swiglu);
  s.params.attention = static_cast<std::int64_t>(Attention::Stored);
  s.params.kv_heads = 2;
  s.params.grad_bytes = 4;
  s.params.p2p_gbps = 123.5;
  s.params.inter_node_gbps = 25;
  s.params.layer_floor_us = 1217.5;
  s.frame = 17;
  Camera c;
  c.target = {10.5f, -3.0f, 2.0f};
  c.distance = 123.25f;
  c.azimuth = -75.0f;
  c.elevation = 12.5f;
  c.projection = Projection::Orthographic;
  s.camera = c;
  s.view.labels = false;
  s.view.background = {0.25f, 0.5f, 1.0f};
  s.compare = {"zb-h1", 3, 0};
  s.layout.sections = {{"Export video", true}, {"Stats", false}};
  s.layout.lanes_start = 12.0;
  s.layout.lanes_span = 80.0;
  s.layout.replicas_unfolded = true;
  s.params.dtype_bytes = 4;
  s.exports = {800, 600, true, false, "out_{frame:04}.png", 320, 240, 30.0, 90.0};
  return s;
}

// Choices are written by name; a bandwidth left to the cluster is left out.
TEST(Session, ChoicesAreSavedByNameAndAnUnsetBandwidthIsLeftOut) {
  const std::string text = session_json(a_session());
  EXPECT_NE(text.find(R"("recompute": "selective")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("mlp": "swiglu")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("p2p_gbps": 123.5)"), std::string::npos) << text;
  EXPECT_EQ(text.find(R"("dp_gbps")"), std::string::npos) << text;
}

TEST(Session, WhatIsSavedComesBack) {
  const Session s = a_session();
  const LoadedSession back = parse_session(session_json(s), ".");
  EXPECT_TRUE(back.warnings.empty());
  EXPECT_EQ(back.session.params, s.params);
  EXPECT_EQ(back.session.frame, s.frame);
  ASSERT_TRUE(back.session.camera.has_value());
  EXPECT_EQ(back.session.camera->target, s.camera->target);
  EXPECT_EQ(back.session.camera->distance, s.camera->distance);
  EXPECT_EQ(back.session.camera->azimuth, s.camera->azimuth);
  EXPECT_EQ(back.session.camera->elevation, s.camera->elevation);
  EXPECT_EQ(back.session.camera->projection, Projection::Orthographic);
  EXPECT_EQ(back.session.view, s.view);
  EXPECT_EQ(back.session.compare, s.compare);
  EXPECT_EQ(back.session.layout, s.layout);
  EXPECT_EQ(back.session.exports, s.exports);
  // Written again, byte for byte the same.
  EXPECT_EQ(session_json(back.session), session_json(s));
}

TEST(Session, ASessionWithOnlyParametersFitsTheDefaultView) {
  const LoadedSession s = parse_session(R"({"pipescope_session": 1, "params": {"dp": 3}})", ".");
  EXPECT_EQ(s.session.params.dp, 3);
  EXPECT_EQ(s.session.params.pp, Params{}.pp);
  EXPECT_FALSE(s.session.camera.has_value());
  EXPECT_EQ(s.session.frame, 0);
}

TEST(Session, UnknownKeysAreWarnedAboutWithTheirPath) {
  const LoadedSession s =
      parse_session(R"({"pipescope_session": 1, "zoom": 2, "camera": {"azimuth": 10, "roll": 3}})", ".");
  ASSERT_EQ(s.warnings.size(), 2u);
  EXPECT_EQ(s.warnings[0], "unknown key camera.roll ignored");
  EXPECT_EQ(s.warnings[1], "unknown key zoom ignored");
  EXPECT_EQ(s.session.camera->azimuth, 10.0f);
}

struct Bad {
  const char* name;
  std::string json;
  std::string must_say;  // the whole message starts with it
};

class BadSession : public ::testing::TestWithParam<Bad> {};

TEST_P(BadSession, IsRefusedNamingTheKeyPathAndRule) {
  try {
    parse_session(GetParam().json, ".");
    FAIL() << "accepted " << GetParam().json;
  } catch (const SessionError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(GetParam().must_say, 0), 0u) << e.what();
    EXPECT_LT(std::string(e.what()).size(), 400u) << "one short line";
  }
}

const std::string v1 = R"({"pipescope_session": 1, )";

INSTANTIATE_TEST_SUITE_P(
    Sessions, BadSession,
    ::testing::Values(
        Bad{"elevation", v1 + R"("camera": {"elevation": 95}})", "camera.elevation: 95 is outside -89.9..89.9"},
        Bad{"distance", v1 + R"("camera": {"distance": -1}})", "camera.distance: -1 is outside"},
        Bad{"target", v1 + R"("camera": {"target": [1, "x", 3]}})", "camera.target[1]: must be a number"},
        Bad{"projection", v1 + R"("camera": {"projection": "fisheye"}})",
            "camera.projection: \"fisheye\" is not perspective or orthographic"},
        Bad{"pp_zero", v1 + R"("params": {"pp": 0}})", "params.pp: pp is 0, but it must be at least 1"},
        Bad{"pp_float", v1 + R"("params": {"pp": 2.5}})", "params.pp: must be a whole number, got 2.5"},
        Bad{"pp_huge", v1 + R"("params": {"pp": 18446744073709551615}})", "params.pp: 18446744073709551615 is too large"},
        Bad{"layers", v1 + R"("params": {"L": 7}})", "params.L: L is 7, but it must be a multiple of pp"},
        Bad{"schedule", v1 + R"("params": {"schedule": "2f2b"}})", "params.schedule: \"2f2b\" is not a schedule"},
        Bad{"both", v1 + R"("params": {"schedule": "1f1b", "schedule_file": "x.csv"}})",
            "params.schedule_file: give schedule or schedule_file, not both"},
        Bad{"file", v1 + R"("params": {"schedule_file": "no-such.csv"}})", "params.schedule_file: no-such.csv: cannot be read"},
        Bad{"frame", v1 + R"("frame": 100000})", "frame: 100000 is outside this schedule's frames 0.."},
        Bad{"labels", v1 + R"("view": {"labels": "yes"}})", "view.labels: must be true or false, got \"yes\""},
        Bad{"background", v1 + R"("view": {"background": [1, 1]}})", "view.background: must be three numbers"},
        Bad{"compare", v1 + R"("compare": {"schedule": "x"}})", "compare.schedule: \"x\" is not a schedule"},
        Bad{"export_size", v1 + R"("export": {"width": 0}})", "export.width: 0 is outside 1..16384 pixels"},
        Bad{"dtype", v1 + R"("layout": {"dtype_bytes": 0}})", "layout.dtype_bytes: 0 is outside 1..64"},
        Bad{"model", v1 + R"("params": {"model": "gpt"}})", "params.model: \"gpt\" is not a model"},
        Bad{"mfu", v1 + R"("params": {"mfu": 2}})", "params.mfu: mfu is 2, but it must be above 0 and at most 1"},
        Bad{"choice", v1 + R"("params": {"model": "transformer", "recompute": "most"}})",
            "params.recompute: \"most\" is not a choice; choose none, selective or full"},
        Bad{"choice_number", v1 + R"("params": {"model": "transformer", "recompute": 2}})",
            "params.recompute: must be a string"},
        Bad{"tp", v1 + R"("params": {"model": "transformer", "heads": 4, "d_model": 64, "B": 8, "tp": 3}})",
            "params.tp: tp is 3, but it must divide heads (4)"},
        Bad{"times", v1 + R"("params": {"model": "transformer", "time_f": [1, "x"]}})",
            "params.time_f[1]: must be a number"},
        Bad{"newer", R"({"pipescope_session": 2})", "pipescope_session: version 2 was written by a newer pipescope"},
        Bad{"unversioned", R"({"params": {}})", "pipescope_session: missing"},
        Bad{"not_object", R"([1, 2])", "session: must be a JSON object"},
        Bad{"not_json", R"({"pipescope_session": 1,)", "not JSON: "},
        // Found by fuzz_session: a number beyond a double threw past the parser.
        // It names its key (issue 22: it said only "not JSON"), and quotes a few digits of it.
        Bad{"number_overflow", R"({"pipescope_session": 1, "frame": 1e999})",
            "frame: is a number beyond what a double holds"},
        Bad{"long_number", R"({"pipescope_session": 1, "frame": )" + std::string(100000, '9') + "}",
            "frame: is a number beyond what a double holds"},
        Bad{"nested_number", v1 + R"("params": {"mfu": -1e400}})", "params.mfu: is a number beyond"}),
    [](const ::testing::TestParamInfo<Bad>& info) { return std::string(info.param.name); });

TEST(Session, SchedulesFromFilesAreFoundBesideTheSession) {
  const auto folder = std::filesystem::temp_directory_path() / ("pipescope_session_" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  std::filesystem::copy_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv", folder / "mine.csv",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(folder / "s.json") << R"({"pipescope_session": 1, "params": {"schedule_file": "mine.csv", "pp": 4,
      "microbatches": 8, "L": 8}})";
  const LoadedSession s = load_session((folder / "s.json").string());
  ASSERT_TRUE(s.session.params.schedule_file);
  EXPECT_EQ(s.session.params.schedule_file->name, "mine.csv");
  // Saved again, the file is named by an absolute path: the session can move.
  EXPECT_NE(session_json(s.session).find((folder / "mine.csv").string()), std::string::npos);
  std::filesystem::remove_all(folder);
}

TEST(Session, AHugeFileIsRefusedBeforeItIsRead) {
  const auto path = std::filesystem::temp_directory_path() / ("pipescope_huge_" + std::to_string(getpid()) + ".json");
  std::ofstream(path).close();
  std::filesystem::resize_file(path, 64u << 20);  // sparse: nothing is written
  try {
    load_session(path.string());
    FAIL();
  } catch (const SessionError& e) {
    EXPECT_NE(std::string(e.what()).find("is 67108864 bytes; a session file is at most 16 MiB (16777216 bytes)"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(Session, ErrorsFromFilesStartWithThePath) {
  try {
    load_session("/no/such/session.json");
    FAIL();
  } catch (const SessionError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/no/such/session.json: cannot be read", 0), 0u) << e.what();
  }
}

// Each shipped preset is a valid session whose scene builds.
TEST(Presets, EachPresetLoadsAndBuilds) {
  const auto presets = list_presets();
  std::set<std::string> names;
  for (const Preset& p : presets) {
    SCOPED_TRACE(p.name);
    names.insert(p.name);
    EXPECT_FALSE(p.description.empty());
    const LoadedSession s = load_session(p.path.string());
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_TRUE(validate(s.session.params).empty());
    const Scene scene(s.session.params);
    EXPECT_GT(scene.timeline().last_frame(), 10u);
  }
  for (const char* wanted : {"notebook", "1f1b", "interleaved-1f1b", "zb-h1", "zb-v", "dualpipe-v", "large"}) {
    EXPECT_TRUE(names.count(wanted)) << wanted;
  }
  ASSERT_TRUE(preset_path("zb-v"));
  EXPECT_EQ(load_session(preset_path("zb-v")->string()).session.params.schedule, ScheduleKind::ZBV);
  EXPECT_EQ(load_session(preset_path("notebook")->string()).session.params, Params{});
}

}  // namespace

namespace pipescope::app {
namespace {

// A measured step saved as a session: the traces named beside it, the
// measured costs per stage and the order's zoo name; it opens as it was.
TEST(SessionMeasured, SavesTheTracesBesideItAndItsCostsPerStage) {
  const testing::TempDir dir("session_measured");
  std::filesystem::copy(std::string(PIPESCOPE_TEST_DATA) + "/measured/1f1b-p4-m8", dir / "run",
                        std::filesystem::copy_options::recursive);
  Session s;
  apply_measured_run(s.params, load_measured_run({dir / "run"}));
  const std::string text = session_json(s, dir.path());
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["params"]["measured"], "run");
  EXPECT_EQ(j["params"]["schedule"], "1f1b");
  EXPECT_EQ(j["params"]["time_f"].size(), 4u);
  EXPECT_FALSE(j["params"].contains("schedule_file"));
  const LoadedSession back = parse_session(text, dir.path());
  ASSERT_TRUE(back.session.params.measured);
  EXPECT_EQ(back.session.params.time_f, s.params.time_f);
  EXPECT_EQ(back.session.params.measured->program.per_rank, s.params.measured->program.per_rank);
  // Without "measured" it is the ideal: the zoo's order at the measured costs.
  auto ideal = j;
  ideal["params"].erase("measured");
  const LoadedSession costs = parse_session(ideal.dump(), dir.path());
  EXPECT_FALSE(costs.session.params.measured);
  EXPECT_EQ(costs.session.params.schedule, ScheduleKind::OneFOneB);
  EXPECT_EQ(costs.session.params.time_w, s.params.time_w);
}

}  // namespace
}  // namespace pipescope::app
