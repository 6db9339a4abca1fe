// `pipescope render`, run as a user would: a PNG with metadata, and bad
// input refused with one line and no file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_files.hpp"

#include "pipescope/export/png.hpp"
#include "support.hpp"

namespace {

using pipescope::testing::line_count;
using pipescope::testing::run_command;

using pipescope::testing::kExe;

std::string temp_path(const std::string& name) {
  // The process id keeps parallel test runs (ctest -j) apart.
  return (std::filesystem::temp_directory_path() / ("pipescope_cli_" + std::to_string(getpid()) + "_" + name)).string();
}

TEST(CliRender, WritesAPngWithParametersFrameAndCamera) {
  const std::string out = temp_path("render.png");
  std::filesystem::remove(out);
  const auto r = run_command(kExe + " render --frame 40 --size 320x240 --dp 3 -o " + out + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "wrote " + out + "\n") << "says where the picture went, and nothing else";
  pipescope::PngText text;
  const pipescope::Image img = pipescope::read_png(out, &text);
  EXPECT_EQ(img.width, 320);
  EXPECT_EQ(img.height, 240);
  std::map<std::string, std::string> meta(text.begin(), text.end());
  EXPECT_EQ(meta["pipescope.frame"], "40");
  EXPECT_NE(meta["pipescope.params"].find("\"dp\": 3"), std::string::npos) << meta["pipescope.params"];
  EXPECT_NE(meta["pipescope.camera"].find("azimuth=-60.000 elevation=30.000"), std::string::npos)
      << meta["pipescope.camera"];
  std::filesystem::remove(out);
}

TEST(CliRender, TransparentBackground) {
  const std::string out = temp_path("transparent.png");
  const auto r = run_command(kExe + " render --transparent --size 64x64 -o " + out + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const pipescope::Image img = pipescope::read_png(out);
  EXPECT_EQ(img.rgba[3], 0);
  std::filesystem::remove(out);
}

struct BadRender {
  std::string args;
  std::string must_mention;
};

class CliRenderBadInput : public ::testing::TestWithParam<BadRender> {};

TEST_P(CliRenderBadInput, OneLineAndNoFile) {
  const std::string out = temp_path("bad.png");
  std::filesystem::remove(out);
  std::string args = GetParam().args;
  if (args.find("-o ") == std::string::npos) args += " -o " + out;
  const auto r = run_command(kExe + " render " + args + " 2>&1 >/dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find(GetParam().must_mention), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out)) << "no file is left behind";
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliRenderBadInput,
    ::testing::Values(BadRender{"--frame 260", "--frame: 260 is outside this schedule's frames 0..259"},
                      BadRender{"--frame -1", "--frame: -1"},
                      BadRender{"--size 0x100", "--size: 0x100: width and height must be at least 1"},
                      BadRender{"--size 100000x100000", "--size: 100000x100000 is too large"},
                      BadRender{"--size big", "--size: \"big\" is not WIDTHxHEIGHT"},
                      BadRender{"--view diagonal", "--view: \"diagonal\" is not a view"},
                      BadRender{"--projection fisheye", "--projection"},
                      BadRender{"--font /nonexistent/font.ttf", "--font: /nonexistent/font.ttf does not exist"},
                      BadRender{"-o /nonexistent-dir/x.png", "folder /nonexistent-dir does not exist"},
                      BadRender{"-o /tmp/picture.jpg", "must end in .png"},
                      BadRender{"--pp 4", "--layers: L is 6, but it must be a multiple of pp (4)"},
                      BadRender{"--layer-view", "--layer-view: shows a transformer's layer"},
                      BadRender{"--layer-view --lanes --preset 1f1b", "--layer-view and --lanes"}),
    [](const ::testing::TestParamInfo<BadRender>& info) { return pipescope::testing::name_from_args(info.param.args); });

TEST(CliRender, TheLayerViewOfAPreset) {
  // Llama 3 70B's layer at tp 8: a picture, and the pipeline's frames are not its own.
  const std::string out = temp_path("layer.png");
  auto r = run_command(kExe + " render --layer-view --preset llama3-70b-h100 --frame 30 --size 320x240 -o " + out +
                       " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(pipescope::read_png(out).width, 320);
  r = run_command(kExe + " render --layer-view --preset llama3-70b-h100 --frame 5000 -o " + out + " 2>&1");
  EXPECT_NE(r.output.find("--frame: 5000 is outside this schedule's frames 0.."), std::string::npos) << r.output;
  std::filesystem::remove(out);
}

TEST(CliRender, MissingOutputIsOneLine) {
  const auto r = run_command(kExe + " render --frame 1 2>&1 >/dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("--output"), std::string::npos) << r.output;
}

}  // namespace

// Sessions on the command line: a PNG pipescope wrote reopens as the same
// picture, flags beside a session override it, presets work from any folder.
namespace {

TEST(CliSession, APngReopensAsTheSamePicture) {
  const std::string dir = std::filesystem::temp_directory_path() / ("pipescope_session_png_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto first = run_command(kExe + " render --preset zb-v --frame 60 --view top --no-edges --size 160x120 -o " +
                                 dir + "/a.png 2>&1");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto again = run_command(kExe + " render --session " + dir + "/a.png --size 160x120 -o " + dir + "/b.png 2>&1");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(pipescope::testing::read_file(dir + "/a.png"), pipescope::testing::read_file(dir + "/b.png"));
  // The session holds the frame: another frame is another picture.
  const auto moved = run_command(kExe + " render --session " + dir + "/a.png --frame 61 --size 160x120 -o " + dir +
                                 "/c.png 2>&1");
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(pipescope::testing::read_file(dir + "/a.png"), pipescope::testing::read_file(dir + "/c.png"));
  std::filesystem::remove_all(dir);
}

TEST(CliSession, FlagsBesideASessionOverrideIt) {
  const auto r = run_command(kExe + " stats --json --preset 1f1b --microbatches 4 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["schedule"], "1f1b");
  EXPECT_EQ(j["microbatches"], 4);
  EXPECT_EQ(j["pp"], 4);  // from the preset
}

TEST(CliSession, PresetsAreListedAndFoundFromAnyFolder) {
  const auto list = run_command("cd / && " + kExe + " --list-presets 2>&1");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  for (const char* name : {"notebook", "1f1b", "interleaved-1f1b", "zb-h1", "zb-v", "dualpipe-v", "gpipe", "large"}) {
    EXPECT_NE(("\n" + list.output).find(std::string("\n") + name + " "), std::string::npos) << name << "\n" << list.output;
  }
  const auto bad = run_command(kExe + " stats --preset zb-x 2>&1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--preset: 'zb-x' is not a preset; choose one of: notebook, "), std::string::npos) << bad.output;
}

// The explorer's file argument (what the desktop entry passes): checked before any window opens.
TEST(CliSession, TheExplorersFileArgumentIsCheckedFirst) {
  const auto missing = run_command("DISPLAY= " + kExe + " /no/such/view.json 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.output.rfind("pipescope: FILE: /no/such/view.json: cannot be read", 0), 0u) << missing.output;
  const auto csv = run_command("DISPLAY= " + kExe + " /no/such/schedule.csv 2>&1");
  EXPECT_EQ(csv.exit_code, 2);
  EXPECT_EQ(csv.output.rfind("pipescope: FILE: /no/such/schedule.csv: cannot be read", 0), 0u) << csv.output;
}

TEST(CliSession, ABadSessionIsOneLineNamingTheKey) {
  const std::string path = std::filesystem::temp_directory_path() / ("pipescope_bad_session_" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << R"({"pipescope_session": 1, "camera": {"elevation": 95}})";
  const auto r = run_command(kExe + " render --session " + path + " -o /tmp/never.png 2>&1");
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("pipescope: --session: " + path + ": camera.elevation: 95 is outside -89.9..89.9"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/never.png"));
}

}  // namespace
