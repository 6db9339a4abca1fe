// The explorer driven as a user would, under Xvfb: xdotool drags, scrolls,
// clicks and types; the explorer's --log-state lines and the screenshot it
// writes are what the checks read. Run by CTest through xvfb-run.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "pipescope/export/png.hpp"
#include "explorer_driver.hpp"
#include "run_command.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using pipescope::testing::ExplorerSession;
using pipescope::testing::Hand;
using pipescope::testing::Pointer;
using pipescope::testing::Rect;
using pipescope::testing::run_command;
using pipescope::testing::window_pointer;
using pipescope::testing::xdo;

TEST(ExplorerEndToEnd, ADriveThroughEveryControl) {
  ASSERT_NE(std::getenv("DISPLAY"), nullptr) << "run under xvfb-run (CTest does)";
  ExplorerSession app;
  ASSERT_TRUE(app.wait_until([&] { return app.widget("scrubber").has_value() && !app.state().empty(); }, 30s))
      << "the explorer did not start; its output:\n" << run_command("cat " + (app.dir() / "log.txt").string()).output;
  const Pointer pointer = window_pointer();
  // The 3D view's centre, from the rectangle the explorer logs (not a copy
  // of the panels' sizes).
  ASSERT_TRUE(app.wait_until([&] { return app.widget("scene").has_value(); }));
  const auto scene_rect = *app.widget("scene");
  const float view_x = (scene_rect.x0 + scene_rect.x1) / 2, view_y = (scene_rect.y0 + scene_rect.y1) / 2;

  // Orbit: a left drag over the view turns the camera.
  // A hand's drag takes a few frames (the frame of the press itself moves
  // nothing): keep dragging until the camera turns, however slow the build.
  pointer.move(view_x, view_y);
  xdo("mousedown 1");
  for (int i = 1; i <= 40 && app.number("azimuth") == -60.0; ++i) {
    const auto before = app.drawn();
    pointer.move(view_x + 5 * i, view_y + 2 * i);
    app.frames_after(before, 2);
  }
  xdo("mouseup 1");
  EXPECT_TRUE(app.wait_until([&] { return app.number("azimuth") != -60.0 && app.number("elevation") != 30.0; }))
      << "azimuth " << app.number("azimuth") << " elevation " << app.number("elevation");

  // Zoom: the wheel moves the camera closer.
  const double distance = app.number("distance");
  xdo("click --repeat 3 --delay 80 4");
  EXPECT_TRUE(app.wait_until([&] { return app.number("distance") < distance * 0.8; }))
      << "distance " << app.number("distance") << " was " << distance;

  // R resets the view.
  xdo("key r");
  EXPECT_TRUE(app.wait_until([&] { return app.number("azimuth") == -60.0; }));

  // Scrub: drag forward, then back, along the timeline.
  const Rect bar = *app.widget("scrubber");
  const float bar_y = (bar.y0 + bar.y1) / 2, width = bar.x1 - bar.x0;
  pointer.move(bar.x0 + width * 0.5f, bar_y);
  xdo("mousedown 1");
  pointer.move(bar.x0 + width * 0.8f, bar_y);
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") > 190; })) << app.number("frame");
  pointer.move(bar.x0 + width * 0.2f, bar_y);
  EXPECT_TRUE(app.wait_until([&] { return std::abs(app.number("frame") - 52) <= 3; })) << app.number("frame");
  const auto released = app.drawn();
  xdo("mouseup 1");
  app.frames_after(released, 2);  // the release lands in a frame
  const double scrubbed = app.number("frame");

  // Keys over the view step and jump.
  pointer.move(view_x, view_y);
  xdo("key Right");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == scrubbed + 1; })) << app.number("frame");
  xdo("key Left Left");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == scrubbed - 1; })) << app.number("frame");
  xdo("key End");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == app.number("last"); }));  // the last, as logged
  xdo("key Home");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == 0; }));
  xdo("key space");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") >= 5; })) << "playing advances frames";
  xdo("key space");
  EXPECT_TRUE(app.wait_until([&] { return app.number("playing") == 0; }));
  xdo("key End");

  // Parameters: type into the fields. The timeline keeps its relative point.
  Hand hand{app, pointer};
  auto click = [&](const std::string& name, bool in_side_panel = true) { hand.click(name, in_side_panel); };
  auto type_into = [&](const std::string& widget, const std::string& text) { hand.type_into(widget, text); };
  // A number field applies on Enter (or when left), not at each key.
  auto type_param = [&](const std::string& widget, const std::string& text) {
    hand.type_into(widget, text);
    hand.press("Return");
  };
  type_param("param:dp", "3");
  EXPECT_TRUE(app.wait_until([&] { return app.number("dp") == 3; })) << "dp " << app.number("dp");
  EXPECT_EQ(app.number("frame"), app.number("last")) << "still at the end of the new timeline";
  type_param("param:dp", "0");
  EXPECT_TRUE(app.wait_until([&] { return app.number("errors") == 1; })) << "an invalid dp is flagged";
  EXPECT_EQ(app.number("dp"), 3) << "and the last valid scene stays";
  type_param("param:dp", "4");
  EXPECT_TRUE(app.wait_until([&] { return app.number("dp") == 4 && app.number("errors") == 0; }));
  type_param("param:pp", "2");
  EXPECT_TRUE(app.wait_until([&] { return app.number("pp") == 2; })) << "pp " << app.number("pp");
  // "12" typed: refused as a whole (6 layers), and the scene never takes the "1" typed first.
  const std::size_t before_12 = app.lines().size();
  type_param("param:pp", "12");
  EXPECT_TRUE(app.wait_until([&] { return app.number("errors") == 1; })) << "pp 12 is flagged";
  EXPECT_EQ(app.number("pp"), 2) << "the last valid scene stays";
  const auto after = app.lines();
  for (std::size_t i = before_12; i < after.size(); ++i) {
    EXPECT_EQ(after[i].find(" pp=1 "), std::string::npos) << "the half-typed pp 1 reached the scene: " << after[i];
  }
  type_param("param:pp", "2");
  EXPECT_TRUE(app.wait_until([&] { return app.number("errors") == 0; }));
  type_param("param:microbatches", "5");
  EXPECT_TRUE(app.wait_until([&] { return app.number("microbatches") == 5; }));
  // The schedule: open the combo, pick 1F1B; a new timeline, same relative point.
  const double notebook_last = app.number("last");
  click("param:schedule");
  ASSERT_TRUE(app.wait_until([&] { return app.widget("schedule:1f1b").has_value(); })) << "the combo opens";
  click("schedule:1f1b");
  EXPECT_TRUE(app.wait_until([&] { return app.state()["schedule"] == "1f1b"; })) << app.state()["schedule"];
  EXPECT_NE(app.number("last"), notebook_last) << "1F1B has its own timeline";
  EXPECT_EQ(app.number("frame"), app.number("last")) << "still at the end";

  // The lanes: hover a block of the first rank, read its tooltip, click it.
  {
    const Rect lanes = hand.settled("lanes");
    // Row 0 is the replicas' header (dp 4, folded): the first rank's lane is row 1.
    const float y = lanes.y0 + 20 + 7, x = lanes.x0 + (lanes.x1 - lanes.x0) * 0.3f;
    std::string tip;
    for (float dx = 0; dx < 200 && tip.empty(); dx += 9) {
      pointer.move(x + dx, y);
      app.wait_until([&] {
        for (const auto& l : app.lines()) {
          if (l.rfind("tooltip GPU 0, stage 0", 0) == 0) tip = l;
        }
        return !tip.empty();
      }, 1s);
    }
    ASSERT_FALSE(tip.empty()) << "hovering a lane block shows what it is";
    EXPECT_NE(tip.find("frames "), std::string::npos) << tip;
    const auto frames_at = tip.find("frames ") + 7;
    const int first = std::stoi(tip.substr(frames_at));
    hand.hold_button();
    EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == first; }))
        << "clicking a block moves the playhead to its first frame " << first << ", not " << app.number("frame");
    EXPECT_TRUE(app.wait_until([&] { return app.number("highlighted") > 0; }))
        << "the block's objects are outlined in 3D";
    // The wheel over the lanes zooms them around the cursor.
    const double span = app.number("lanes_span");
    xdo("click 4");
    EXPECT_TRUE(app.wait_until([&] { return app.number("lanes_span") < span; })) << "the lanes zoom in";
  }
  // Compare with ZB-H1: its lanes and figures appear beside 1F1B's.
  click("compare", false);
  ASSERT_TRUE(app.wait_until([&] { return app.widget("compare:zb-h1").has_value(); })) << "the compare combo opens";
  click("compare:zb-h1", false);
  EXPECT_TRUE(app.wait_until([&] { return app.state()["compare"] == "zb-h1" && app.number("compare_makespan") > 0; }))
      << app.state()["compare"];
  EXPECT_GT(app.number("makespan"), 0);
  EXPECT_TRUE(app.wait_until([&] { return app.widget("compare:lanes").has_value(); })) << "its lanes are drawn";
  // Pick in 3D: hovering a weight says what it is; a click selects it; N jumps
  // to its next change (a weight changes once: it turns red).
  {
    std::string picked;
    auto pick_line = [&] {
      std::string last;
      for (const auto& l : app.lines()) {
        if (l.rfind("pick ", 0) == 0) last = l.substr(5);
      }
      return last;
    };
    for (int i = 0; i < 40 && picked.find("weight") == std::string::npos; ++i) {
      pointer.move(view_x - 300 + static_cast<float>(i % 8) * 80, view_y - 150 + static_cast<float>(i / 8) * 70);
      app.wait_until([&] { return pick_line().find("weight,") != std::string::npos; }, 500ms);
      picked = pick_line();
    }
    ASSERT_NE(picked.find("weight,"), std::string::npos) << "hovering a weight tells what it is: " << picked;
    EXPECT_NE(picked.find("on GPU "), std::string::npos) << picked;
    hand.hold_button();  // held for frames: ImGui 1.86 polls the buttons once a frame
    EXPECT_TRUE(app.wait_until([&] { return app.state()["selected"].rfind("W", 0) == 0; }))
        << "a click selects it: " << app.state()["selected"];
    xdo("key Home");
    EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == 0; }));
    xdo("key n");
    EXPECT_TRUE(app.wait_until([&] { return app.number("frame") > 0; })) << "N goes to its next change";
    xdo("key End");
  }
  // The lanes as a picture, from the Export panel.
  click("lanes:save");
  std::string lanes_png;
  EXPECT_TRUE(app.wait_until([&] {
    for (const auto& l : app.lines()) {
      if (l.rfind("screenshot ", 0) == 0 && l.find(".png") != std::string::npos) lanes_png = l.substr(11);
    }
    return !lanes_png.empty();
  }));
  if (!lanes_png.empty()) {
    const pipescope::Image lanes_img = pipescope::read_png(lanes_png);
    EXPECT_EQ(lanes_img.width, 1920);
    int green = 0;
    for (std::size_t i = 0; i < lanes_img.rgba.size(); i += 4) {
      green += lanes_img.rgba[i + 1] > lanes_img.rgba[i] + 40 && lanes_img.rgba[i + 1] > lanes_img.rgba[i + 2] + 40;
    }
    EXPECT_GT(green, 500) << "forward blocks are drawn";
  }
  xdo("key Return");
  pointer.move(view_x, view_y);
  xdo("click 1");  // back to the view: keys go to the scene again
  xdo("key Home");
  xdo("key Right Right Right Right Right Right Right Right Right Right");
  EXPECT_TRUE(app.wait_until([&] { return app.number("frame") == 10; })) << app.number("frame");

  // F12: a screenshot through the offscreen path, with its metadata.
  auto screenshots = [&] {
    std::vector<std::string> paths;
    for (const auto& l : app.lines()) {
      if (l.rfind("screenshot ", 0) == 0) paths.push_back(l.substr(11));
    }
    return paths;
  };
  const std::size_t shots_before = screenshots().size();
  xdo("key F12");
  std::string shot;
  EXPECT_TRUE(app.wait_until([&] {
    const auto paths = screenshots();
    if (paths.size() > shots_before) shot = paths.back();
    return !shot.empty();
  }));
  ASSERT_FALSE(shot.empty());
  pipescope::PngText text;
  const pipescope::Image img = pipescope::read_png(shot, &text);
  EXPECT_EQ(img.width, 1920);
  EXPECT_EQ(img.height, 1080);
  std::map<std::string, std::string> meta(text.begin(), text.end());
  EXPECT_EQ(meta["pipescope.frame"], "10");
  EXPECT_NE(meta["pipescope.params"].find("\"dp\": 4"), std::string::npos) << meta["pipescope.params"];
  int blue = 0, green = 0;
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) {
    const int r = img.rgba[i], g = img.rgba[i + 1], b = img.rgba[i + 2];
    blue += b > r + 40 && b > g + 40;
    green += g > r + 12 && g > b + 12;
  }
  EXPECT_GT(blue, 1000) << "weights are drawn";
  EXPECT_GT(green, 100) << "frame 10 has forward activations";

  // Export a video from the panel, then start another and cancel it.
  // The panel's layout shifts as status lines come and go: a click that
  // raced a shift is tried again.
  auto click_until = [&](const std::string& name, auto done) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      click(name);
      if (app.wait_until(done, 5s)) return true;
    }
    return false;
  };
  ASSERT_TRUE(click_until("video:header", [&] { return app.widget("video:start").has_value(); }))
      << "the video section opened";
  const std::string video = (app.dir() / "from-explorer.mp4").string();
  type_into("video:path", video);
  type_into("video:width", "160");
  type_into("video:height", "120");
  auto video_line = [&] {
    std::string last;
    for (const auto& l : app.lines()) {
      if (l.rfind("video ", 0) == 0) last = l;
    }
    return last;
  };
  ASSERT_TRUE(click_until("video:start", [&] {
    return app.widget("video:cancel").has_value() || video_line().find("Saved") != std::string::npos;
  })) << "the export started";
  EXPECT_TRUE(app.wait_until([&] { return video_line().find("Saved") != std::string::npos; }, 60s)) << video_line();
  const auto probed = run_command("ffprobe -v error -count_frames -show_entries stream=nb_read_frames,width,height "
                                  "-of csv=p=0 " + video + " 2>&1");
  const int frames = static_cast<int>(app.number("last")) + 1;  // one video frame per timeline frame
  EXPECT_EQ(probed.output, "160,120," + std::to_string(frames) + "\n");
  type_into("video:width", "1600");
  type_into("video:height", "1600");
  ASSERT_TRUE(click_until("video:start", [&] { return app.widget("video:cancel").has_value(); }));
  ASSERT_TRUE(app.wait_until([&] { return app.widget("video:cancel").has_value(); })) << "the export runs";
  click("video:cancel");
  EXPECT_TRUE(app.wait_until([&] { return video_line().find("Cancelled") != std::string::npos; }, 20s)) << video_line();
  EXPECT_FALSE(fs::exists(video)) << "a cancelled export removes its file";
  EXPECT_TRUE(app.running()) << "the explorer survived all of it";
}

// A PyTorch schedule file from the file browser, a session saved with Ctrl+S
// and opened with Ctrl+O, the same picture in a second explorer started with
// --session, and a trace from the Export panel.
TEST(ExplorerEndToEnd, ScheduleFilesSessionsAndTraces) {
  ASSERT_NE(std::getenv("DISPLAY"), nullptr) << "run under xvfb-run (CTest does)";
  ExplorerSession app;
  ASSERT_TRUE(app.wait_until([&] { return app.widget("scrubber").has_value() && !app.state().empty(); }, 30s));
  const Hand hand{app, window_pointer()};
  // The 3D view's centre, from the rectangle the explorer logs (not a copy
  // of the panels' sizes).
  ASSERT_TRUE(app.wait_until([&] { return app.widget("scene").has_value(); }));
  const auto scene_rect = *app.widget("scene");
  const float view_x = (scene_rect.x0 + scene_rect.x1) / 2, view_y = (scene_rect.y0 + scene_rect.y1) / 2;
  auto logged = [&](const std::string& prefix) {
    std::string last;
    for (const auto& l : app.lines()) {
      if (l.rfind(prefix, 0) == 0) last = l;
    }
    return last;
  };
  // Type a path into a file browser's name field and press Enter.
  auto choose = [&](const std::string& field, const std::string& path) {
    ASSERT_TRUE(app.wait_until([&] { return app.widget(field).has_value(); })) << field << " did not open";
    hand.type_into(field, path);
    hand.press("Return");
  };

  hand.click("param:schedule");
  ASSERT_TRUE(app.wait_until([&] { return app.widget("schedule:file").has_value(); })) << "the combo opens";
  hand.click("schedule:file");
  // The schedule beside the session saved below: a session opens files in
  // its own folder without asking.
  const std::string csv = (app.dir() / "DualPipeV-p4-m8-v2.compute_comms.csv").string();
  fs::copy_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/DualPipeV-p4-m8-v2.compute_comms.csv", csv);
  choose("schedule-file:name", csv);
  EXPECT_TRUE(app.wait_until([&] { return app.state()["schedule"] == "DualPipeV-p4-m8-v2.compute_comms.csv"; }))
      << logged("schedule-file");
  EXPECT_EQ(app.number("pp"), 4);
  EXPECT_EQ(app.number("microbatches"), 8);

  // Turn the camera and step to frame 7, then save.
  hand.pointer.move(view_x, view_y);
  xdo("mousedown 1");
  for (int i = 1; i <= 40 && app.number("azimuth") == -60.0; ++i) {
    const auto before = app.drawn();
    hand.pointer.move(view_x + 5 * i, view_y + 2 * i);
    app.frames_after(before, 2);
  }
  xdo("mouseup 1");
  ASSERT_TRUE(app.wait_until([&] { return app.number("azimuth") != -60.0; })) << "the drag turned the camera";
  xdo("key Home Right Right Right Right Right Right Right");
  ASSERT_TRUE(app.wait_until([&] { return app.number("frame") == 7; }));
  const auto saved_state = app.state();
  const std::string session = (app.dir() / "mine.json").string();
  hand.press("ctrl+s");
  choose("save:name", session);
  ASSERT_TRUE(app.wait_until([&] { return logged("session-save").find("Saved " + session) != std::string::npos; }))
      << logged("session-save");

  // Change everything, then open it again: the same schedule, frame and camera.
  hand.press("r");
  xdo("key End");
  hand.click("param:schedule");
  ASSERT_TRUE(app.wait_until([&] { return app.widget("schedule:gpipe").has_value(); }));
  hand.click("schedule:gpipe");
  ASSERT_TRUE(app.wait_until([&] { return app.state()["schedule"] == "gpipe"; }));
  hand.press("ctrl+o");
  choose("open:name", session);
  ASSERT_TRUE(app.wait_until([&] { return logged("session-open").find("Opened " + session) != std::string::npos; }))
      << logged("session-open");
  ASSERT_TRUE(app.wait_until([&] { return app.state()["schedule"] == saved_state.at("schedule"); }));
  const auto reopened = app.state();
  for (const char* key : {"frame", "pp", "microbatches", "target", "distance", "azimuth", "elevation"}) {
    EXPECT_EQ(reopened.at(key), saved_state.at(key)) << key;
  }
  EXPECT_NE(run_command("cat " + (app.dir() / "config" / "pipescope" / "recent").string()).output.find(session),
            std::string::npos)
      << "the session is among the recent files";

  // A second explorer on the saved session draws the same picture (F12 in both).
  auto screenshot = [](const ExplorerSession& e) {
    const std::size_t before = [&] {
      std::size_t n = 0;
      for (const auto& l : e.lines()) n += l.rfind("screenshot ", 0) == 0;
      return n;
    }();
    xdo("key F12");
    std::string path;
    e.wait_until([&] {
      std::size_t n = 0;
      for (const auto& l : e.lines()) {
        if (l.rfind("screenshot ", 0) == 0 && ++n > before) path = l.substr(11);
      }
      return !path.empty();
    });
    return path;
  };
  hand.pointer.move(view_x, view_y);
  const std::string first = screenshot(app);
  ASSERT_FALSE(first.empty());

  // The trace from the Export panel is a Chrome trace with the schedule's events.
  hand.click("trace:save");
  ASSERT_TRUE(app.wait_until([&] { return logged("trace ").find("Saved") != std::string::npos; })) << logged("trace ");
  const auto trace = nlohmann::json::parse(std::ifstream(app.dir() / "pipescope-trace.json"));
  EXPECT_GT(trace["traceEvents"].size(), 100u);
  EXPECT_EQ(trace["otherData"]["schedule"], "DualPipeV-p4-m8-v2.compute_comms.csv");

  ExplorerSession second({session}, "_second");  // as the desktop entry opens a file
  ASSERT_TRUE(second.wait_until([&] { return !second.state().empty(); }, 30s));
  for (const char* key : {"frame", "schedule", "target", "distance", "azimuth", "elevation"}) {
    EXPECT_EQ(second.state().at(key), saved_state.at(key)) << key;
  }
  const Pointer other = window_pointer();
  other.move(view_x, view_y);
  xdo("click 1");
  const std::string again = screenshot(second);
  ASSERT_FALSE(again.empty());
  const pipescope::Image a = pipescope::read_png(first), b = pipescope::read_png(again);
  ASSERT_EQ(a.width, b.width);
  ASSERT_EQ(a.height, b.height);
  double diff = 0;
  for (std::size_t i = 0; i < a.rgba.size(); ++i) diff += std::abs(int(a.rgba[i]) - int(b.rgba[i]));
  EXPECT_LT(diff / static_cast<double>(a.rgba.size()), 0.5) << "mean channel difference; " << first << " vs " << again;
}

TEST(ExplorerEndToEnd, WithoutADisplayItSaysSoInOneLine) {
  const auto r = run_command("env -u DISPLAY -u WAYLAND_DISPLAY " PIPESCOPE_EXE " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(pipescope::testing::line_count(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("pipescope render"), std::string::npos) << r.output;
}

}  // namespace

// The Planner panel: the preset's model planned on its 64 GPUs on a worker
// thread, then the second-ranked layout loaded into the scene with a click.
TEST(ExplorerEndToEnd, ThePlannerLoadsARankedLayoutIntoTheScene) {
  ASSERT_NE(std::getenv("DISPLAY"), nullptr) << "run under xvfb-run (CTest does)";
  // The Llama 3 preset, its long Parameters section closed so the Planner's header shows.
  nlohmann::json session = nlohmann::json::parse(std::ifstream(PIPESCOPE_ASSETS "/presets/llama3-70b-h100.json"));
  session["layout"] = {{"sections", {{"Parameters", false}, {"Schedule metrics", false}}}};
  const fs::path file = fs::temp_directory_path() / ("pipescope_e2e_plan_" + std::to_string(getpid()) + ".json");
  std::ofstream(file) << session.dump();
  ExplorerSession app({"--session", file.string()}, "_plan");
  ASSERT_TRUE(app.wait_until([&] { return app.widget("scrubber").has_value() && !app.state().empty(); }, 30s));
  fs::remove(file);
  const Hand hand{app, window_pointer()};
  for (int attempt = 0; attempt < 3 && !app.widget("planner:plan"); ++attempt) {
    hand.click("planner:header");
    app.wait_until([&] { return app.widget("planner:plan").has_value(); }, 5s);
  }
  ASSERT_TRUE(app.widget("planner:plan")) << "the Planner section opened";
  hand.click("planner:plan");
  ASSERT_TRUE(app.wait_until([&] { return app.widget("planner:row1").has_value(); }, 60s)) << "ranked rows appear";
  auto loaded = [&] {
    std::string last;
    for (const auto& l : app.lines()) {
      if (l.rfind("plan-load ", 0) == 0) last = l;
    }
    return last;
  };
  for (int attempt = 0; attempt < 3 && loaded().empty(); ++attempt) {
    hand.click("planner:row1");
    app.wait_until([&] { return !loaded().empty(); }, 5s);
  }
  const std::string line = loaded();
  ASSERT_FALSE(line.empty()) << "a click on a row loads it";
  // The flags it logged are the scene's now: pp and the schedule on the state line.
  auto flag = [&](const std::string& name) {
    const auto at = line.find(" --" + name + " ");
    return at == std::string::npos ? std::string() : line.substr(at + name.size() + 4, line.find(' ', at + name.size() + 4) - at - name.size() - 4);
  };
  EXPECT_TRUE(app.wait_until([&] { return app.state()["pp"] == flag("pp") && app.state()["schedule"] == flag("schedule"); }, 20s))
      << line << " vs pp=" << app.state()["pp"] << " schedule=" << app.state()["schedule"];
  EXPECT_TRUE(app.running());
}
