// `pipescope render --video`, run as a user would, checked with ffprobe;
// and each way it can fail, with stand-in ffmpeg programs.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pipescope/export/png.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using pipescope::testing::line_count;
using pipescope::testing::run_command;

using pipescope::testing::kExe;

class CliVideo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pipescope_video_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bin");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A stand-in `ffmpeg` on a PATH of its own (with the basic tools it uses).
  std::string fake_ffmpeg(const std::string& body) {
    const std::string script = path("bin/ffmpeg");
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(script, fs::perms::owner_all);
    return "PATH=" + path("bin") + ":/usr/bin:/bin ";
  }

  fs::path dir_;
};

std::string probe(const std::string& file, const std::string& entries) {
  return run_command("ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=" + entries +
                     " -of csv=p=0 " + file + " 2>&1")
      .output;
}

TEST_F(CliVideo, Mp4HasOneFramePerTimelineFrameAt15Fps) {
  const std::string out = path("scene.mp4");
  const auto r = run_command(kExe + " render --video " + out + " --size 96x64 --x264-preset ultrafast 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "wrote " + out + "\n") << "no progress bar when standard error is not a terminal";
  EXPECT_EQ(probe(out, "nb_read_frames,r_frame_rate,width,height,pix_fmt,codec_name"),
            "h264,96,64,yuv420p,15/1,260\n");
}

TEST_F(CliVideo, RangeFpsOrbitAndOtherContainers) {
  const std::string webm = path("part.webm"), gif = path("part.gif");
  auto r = run_command(kExe + " render --video " + webm + " --size 64x64 --from 10 --to 29 --fps 30 --orbit 90 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(probe(webm, "codec_name,nb_read_frames,r_frame_rate"), "vp9,30/1,20\n");
  r = run_command(kExe + " render --video " + gif + " --size 64x64 --to 9 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(probe(gif, "codec_name,width,nb_read_frames"), "gif,64,10\n");
}

TEST_F(CliVideo, PngSequenceWritesNumberedFrames) {
  const auto r = run_command(kExe + " render --video " + path("f_{frame:04}.png") + " --from 40 --to 44 --size 80x60 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int k = 40; k <= 44; ++k) {
    const std::string file = path("f_00" + std::to_string(k) + ".png");
    ASSERT_TRUE(fs::exists(file)) << file;
    const auto img = pipescope::read_png(file);
    EXPECT_EQ(img.width, 80);
    EXPECT_EQ(img.height, 60);
  }
  EXPECT_FALSE(fs::exists(path("f_0039.png")));
  EXPECT_FALSE(fs::exists(path("f_0045.png")));
}

TEST_F(CliVideo, EveryVideoFrameIsTheStillOfThatFrame) {
  // Frames 236..259 include the notebook's still frames, which the export
  // does not redraw: each must still be exactly the picture of its frame.
  auto r = run_command(kExe + " render --video " + path("v_{frame}.png") + " --from 236 --size 120x90 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int k : {236, 239, 250, 259}) {
    r = run_command(kExe + " render --frame " + std::to_string(k) + " --size 120x90 -o " + path("still.png") + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(pipescope::read_png(path("v_" + std::to_string(k) + ".png")).rgba, pipescope::read_png(path("still.png")).rgba)
        << "frame " << k;
  }
}

TEST_F(CliVideo, NoFfmpegIsOneLineNamingTheFixAndTheAlternative) {
  const std::string out = path("none.mp4");
  const auto r = run_command("PATH=" + path("bin") + " " + kExe + " render --video " + out + " --size 64x64 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("apt-get install ffmpeg"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("{frame:04}.png"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliVideo, FfmpegFailingMidwayShowsItsMessageAndExitCodeAndRemovesTheFile) {
  const std::string out = path("broken.mp4");
  // Reads one frame's worth, writes a partial file, complains, exits 3.
  const std::string env = fake_ffmpeg(
      "for last; do :; done\n"
      "head -c 16384 > \"$last\"\n"
      "echo 'No space left on device' >&2\n"
      "exit 3");
  const auto r = run_command(env + kExe + " render --video " + out + " --size 64x64 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("ffmpeg failed (exit code 3): No space left on device"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out)) << "the partial file is removed";
}

// ffmpeg's log goes to $TMPDIR (a private file made there), not a fixed /tmp name.
TEST_F(CliVideo, FfmpegsLogHonoursTmpdir) {
  auto r = run_command("TMPDIR=/nonexistent-tmp " + kExe + " render --video " + path("t.mp4") + " --size 64x64 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("check TMPDIR"), std::string::npos) << r.output;
  // A stand-in ffmpeg that reports where its log is, then fails.
  const std::string tmp = path("tmp");
  fs::create_directories(tmp);
  const std::string env = fake_ffmpeg("ls -l /proc/$$/fd/2 | sed 's/.*-> //' > " + path("where.txt") + "\nexit 3");
  r = run_command(env + "TMPDIR=" + tmp + " " + kExe + " render --video " + path("t.mp4") + " --size 64x64 2>&1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::string where;
  std::getline(std::ifstream(path("where.txt")), where);
  EXPECT_EQ(where.rfind(tmp + "/pipescope-ffmpeg-", 0), 0u) << where;
  EXPECT_TRUE(fs::is_empty(tmp)) << "the log is removed afterwards";
}

TEST_F(CliVideo, UnwritablePathFailsBeforeRendering) {
  // Had anything been rendered, ffmpeg would have been started.
  const std::string marker = path("ffmpeg-started");
  const std::string env = fake_ffmpeg(": > " + marker);
  const auto r = run_command(env + kExe + " render --video /nonexistent-dir/v.mp4 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("folder /nonexistent-dir does not exist"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(marker)) << "refused before ffmpeg or any rendering started";
}

TEST_F(CliVideo, BadVideoFlagsAreOneLineEach) {
  for (const std::string& args : {"--video " + path("x.avi"), "--video " + path("x.mp4") + " --fps 0",
                                  "--video " + path("x.mp4") + " --from 300",
                                  "--video " + path("x.mp4") + " --from 20 --to 10",
                                  "--video " + path("x.mp4") + " --x264-preset turbo",
                                  "--video " + path("x.mp4") + " --size 101x100",
                                  "--video " + path("x.mp4") + " -o " + path("x.png")}) {
    const auto r = run_command(kExe + " render " + args + " 2>&1");
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(line_count(r.output), 1u) << args << ": " << r.output;
  }
  EXPECT_TRUE(fs::is_empty(dir_ / "bin"));
  EXPECT_FALSE(fs::exists(path("x.mp4")));
}

class CliVideoSignal : public CliVideo, public ::testing::WithParamInterface<int> {};

// Ctrl-C, kill, or the terminal closing: the same clean stop.
TEST_P(CliVideoSignal, StopsFfmpegAndRemovesThePartialFile) {
  const std::string out = path("interrupted.mp4");
  const std::string pidfile = path("ffmpeg.pid");
  // An encoder that never finishes: it makes its file and stalls.
  const std::string env = fake_ffmpeg("for last; do :; done\n: > \"$last\"\necho $$ > " + pidfile + "\nexec sleep 60");
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = env + "exec " + kExe + " render --video " + out + " --size 256x256 2>" + path("err.txt");
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 100 && !fs::exists(pidfile); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(fs::exists(pidfile)) << "the stand-in ffmpeg never started";
  // pipescope watches for signals before it starts ffmpeg: no wait needed.
  kill(pid, GetParam());
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(fs::exists(out)) << "the partial file is removed";
  pid_t ffmpeg_pid = 0;
  std::ifstream(pidfile) >> ffmpeg_pid;
  EXPECT_NE(kill(ffmpeg_pid, 0), 0) << "ffmpeg was stopped";
  std::string err;
  std::getline(std::ifstream(path("err.txt")), err);
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(Signals, CliVideoSignal, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : info.param == SIGTERM ? "SIGTERM" : "SIGHUP");
                         });

}  // namespace

#include "pipescope/export/video_export.hpp"

namespace {

TEST(VideoPaths, FormatsAndPatterns) {
  std::string error;
  EXPECT_EQ(pipescope::video_format_for("a.mp4", error), pipescope::VideoFormat::Mp4);
  EXPECT_EQ(pipescope::video_format_for("a.webm", error), pipescope::VideoFormat::WebM);
  EXPECT_EQ(pipescope::video_format_for("a.gif", error), pipescope::VideoFormat::Gif);
  EXPECT_EQ(pipescope::video_format_for("out_{frame:04}.png", error), pipescope::VideoFormat::PngSequence);
  EXPECT_FALSE(pipescope::video_format_for("out_{frame}.jpg", error));
  EXPECT_NE(error.find("end it in .png"), std::string::npos);
  EXPECT_FALSE(pipescope::video_format_for("a.avi", error));
  EXPECT_EQ(pipescope::png_sequence_path("out_{frame:04}.png", 7), "out_0007.png");
  EXPECT_EQ(pipescope::png_sequence_path("f{frame}-{frame:3}.png", 12), "f12- 12.png");
  EXPECT_EQ(pipescope::png_sequence_path("{frame:06}.png", 1234567), "1234567.png");
}

}  // namespace
