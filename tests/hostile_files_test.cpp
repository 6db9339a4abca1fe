// Files people send each other (sessions, PNGs carrying sessions, schedule
// CSVs), made hostile: nesting without end, keys twice, FIFOs, devices, PNGs
// whose header lies about their size, text chunks past the cap. Each is one
// clear message, promptly, and never a crash, a hang or gigabytes of memory.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <zlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "session.hpp"
#include "support.hpp"
#include "pipescope/export/png.hpp"
#include "pipescope/io/input_file.hpp"
#include "pipescope/schedule/schedule_file.hpp"

namespace {

using namespace pipescope;
using namespace pipescope::app;
namespace fs = std::filesystem;


std::string session_error(const std::function<void()>& load) {
  try {
    load();
  } catch (const SessionError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(HostileFiles, DeepNestingIsRefusedNotRecursedInto) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(session_error([&] { parse_session(deep, "."); }).find("nests deeper than 16 levels"), std::string::npos);
  const std::string in_params = R"({"pipescope_session": 1, "params": {"pp": )" + std::string(50, '[') +
                                std::string(50, ']') + "}}";
  EXPECT_NE(session_error([&] { parse_session(in_params, "."); }).find("nests deeper"), std::string::npos);
}

TEST(HostileFiles, AKeyGivenTwiceIsRefusedNamingIt) {
  const std::string twice = R"({"pipescope_session": 1, "params": {"pp": 2, "pp": 3}})";
  EXPECT_NE(session_error([&] { parse_session(twice, "."); }).find(R"(the key "pp" is given twice)"), std::string::npos);
}

TEST(HostileFiles, ErrorsQuoteAFewDozenCharactersOfAValue) {
  const std::string long_value = R"({"pipescope_session": 1, "params": {"pp": ")" + std::string(100000, 'x') + "\"}}";
  const std::string e = session_error([&] { parse_session(long_value, "."); });
  EXPECT_NE(e.find("params.pp"), std::string::npos) << e;
  EXPECT_LT(e.size(), 200u) << e.size();
  // A terminal escape, JSON-escaped in the file and raw once parsed; raw in
  // the file it is not JSON at all. Neither reaches the terminal raw.
  const std::string escaped = R"({"pipescope_session": 1, "params": {"pp": "\u001b]0;owned\u0007"}})";
  const std::string quoted = session_error([&] { parse_session(escaped, "."); });
  EXPECT_EQ(quoted.find('\x1b'), std::string::npos) << "no raw escape reaches a terminal";
  EXPECT_NE(quoted.find("\\u001b"), std::string::npos) << quoted;
  const std::string raw = "{\"pipescope_session\": 1, \"params\": {\"pp\": \"\x1b]0;owned\x07\"}}";
  EXPECT_EQ(session_error([&] { parse_session(raw, "."); }).find('\x1b'), std::string::npos);
}

TEST(HostileFiles, FifosFoldersAndDevicesAreNamedNotOpenedForever) {
  const pipescope::testing::TempDir temp("hostile");
  const fs::path& dir = temp.path();
  const fs::path fifo = dir / "s.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(session_error([&] { load_session(fifo.string()); }).find("is a FIFO (named pipe), not a session file"),
            std::string::npos);
  const fs::path png_fifo = dir / "s.png";
  ASSERT_EQ(mkfifo(png_fifo.c_str(), 0600), 0);
  EXPECT_NE(session_error([&] { load_session(png_fifo.string()); }).find("is a FIFO"), std::string::npos);
  EXPECT_NE(session_error([&] { load_session(dir.string()); }).find("is a folder, not a session file"), std::string::npos);
  for (const char* csv : {"/dev/zero", "/dev/null"}) {
    try {
      load_schedule_file(csv);
      ADD_FAILURE() << csv << " accepted";
    } catch (const ScheduleFileError& e) {
      EXPECT_NE(std::string(e.what()).find("is a device, not a CSV file"), std::string::npos) << e.what();
    }
  }
  const fs::path csv_fifo = dir / "s.csv";
  ASSERT_EQ(mkfifo(csv_fifo.c_str(), 0600), 0);
  EXPECT_THROW(load_schedule_file(csv_fifo.string()), ScheduleFileError);
}

// A PNG pipescope wrote, its session in a tEXt chunk.
fs::path png_with_session(const fs::path& dir, const std::string& text) {
  Image img;
  img.width = img.height = 4;
  img.rgba.assign(4 * 4 * 4, 200);
  const fs::path path = dir / "shot.png";
  write_png(path.string(), img, {{"pipescope.session", text}});
  return path;
}

TEST(HostileFiles, APngWhoseHeaderLiesAboutItsSizeIsReadWithoutItsPixels) {
  const pipescope::testing::TempDir temp("hostile");
  const fs::path& dir = temp.path();
  const fs::path png = png_with_session(dir, R"({"pipescope_session": 1, "params": {"pp": 2, "L": 4}})");
  {
    // IHDR's width and height (bytes 16-23) now claim 32768 x 32768: 4 GiB decoded.
    std::fstream f(png, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16);
    const char side[4] = {0, 0, static_cast<char>(0x80), 0};
    f.write(side, 4);
    f.write(side, 4);
    // A well-made lie: the chunk's checksum matches its new contents.
    char ihdr[17];
    f.seekg(12);
    f.read(ihdr, 17);
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(ihdr), 17);
    const char be[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                        static_cast<char>(crc)};
    f.seekp(29);
    f.write(be, 4);
  }
  const LoadedSession s = load_session(png.string());
  EXPECT_EQ(s.session.params.pp, 2);
  EXPECT_EQ(s.session.params.L, 4);
  // Its pixels are refused before anything is allocated for them.
  try {
    read_png(png.string());
    ADD_FAILURE() << "decoded a 32768 x 32768 claim";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("32768x32768 is larger than pipescope reads"), std::string::npos) << e.what();
  }
}

TEST(HostileFiles, APngTextChunkOverTheSessionCapIsRefused) {
  const pipescope::testing::TempDir temp("hostile");
  const fs::path& dir = temp.path();
  const fs::path png = png_with_session(dir, std::string((16u << 20) + 1, ' '));
  const std::string e = session_error([&] { load_session(png.string()); });
  EXPECT_NE(e.find("holds a text chunk of 16777235 bytes; pipescope reads at most 16 MiB (16777216 bytes)"),
            std::string::npos)
      << e;
  // Not a PNG at all, or cut short.
  std::ofstream(dir / "fake.png") << "GIF89a";
  EXPECT_NE(session_error([&] { load_session((dir / "fake.png").string()); }).find("is not a PNG file"), std::string::npos);
  const fs::path good = png_with_session(dir, R"({"pipescope_session": 1})");
  fs::resize_file(good, fs::file_size(good) - 20);
  EXPECT_NE(session_error([&] { load_session(good.string()); }).find("is cut short"), std::string::npos);
}

// A session names a schedule file: beside it (or below) it opens; anywhere
// else (an absolute path, ../) only if the user trusts it, and the refusal
// quotes nothing of the file.
TEST(HostileFiles, ASessionReadsOnlyFilesInItsOwnFolderUnlessTrusted) {
  const pipescope::testing::TempDir temp("hostile");
  const fs::path& dir = temp.path();
  fs::create_directories(dir / "sent");
  fs::copy_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv", dir / "sent" / "mine.csv");
  fs::copy_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv", dir / "other.csv");
  auto write = [&](const std::string& name, const std::string& file) {
    std::ofstream(dir / "sent" / name) << R"({"pipescope_session": 1, "params": {"schedule_file": ")" << file << R"("}})";
    return (dir / "sent" / name).string();
  };
  EXPECT_TRUE(load_session(write("beside.json", "mine.csv")).session.params.schedule_file);
  EXPECT_TRUE(load_session(write("dot.json", "./mine.csv")).session.params.schedule_file);
  for (const std::string& outside : {std::string("../other.csv"), (dir / "other.csv").string(),
                                     std::string("/etc/passwd"), std::string("sub/../../other.csv")}) {
    const std::string session = write("far.json", outside);
    try {
      load_session(session);
      ADD_FAILURE() << outside << " was read";
    } catch (const UntrustedPath& e) {
      EXPECT_EQ(e.session, session);
      EXPECT_EQ(e.outside, outside);
      const std::string what = e.what();
      EXPECT_NE(what.find("lies outside the session's folder"), std::string::npos) << what;
      EXPECT_NE(what.find("--trust-session"), std::string::npos) << what;
      EXPECT_EQ(what.find("root:"), std::string::npos) << "nothing of the file is quoted: " << what;
    }
  }
  // Trusted, it is read (and /etc/passwd is no schedule: one cell quoted, escaped).
  EXPECT_TRUE(load_session(write("far.json", "../other.csv"), true).session.params.schedule_file);
  // Saved beside its schedule, a session names it relatively; elsewhere, absolutely.
  Session s = load_session(write("beside.json", "mine.csv")).session;
  save_session((dir / "sent" / "again.json").string(), s);
  EXPECT_NE(read_input_file((dir / "sent" / "again.json").string(), 1 << 20, "a session").find(R"("schedule_file": "mine.csv")"),
            std::string::npos);
  EXPECT_TRUE(load_session((dir / "sent" / "again.json").string()).session.params.schedule_file) << "opens unasked";
  fs::create_directories(dir / "apart");
  save_session((dir / "apart" / "elsewhere.json").string(), s);
  EXPECT_NE(read_input_file((dir / "apart" / "elsewhere.json").string(), 1 << 20, "a session")
                .find('"' + (dir / "sent" / "mine.csv").string() + '"'),
            std::string::npos);
}

// Issue 22: a link beside the session to a file or folder outside it was read
// (and /etc/passwd parsed) without --trust-session. Containment is checked on
// the resolved path, before anything is opened.
TEST(HostileFiles, LinksOutOfASessionsFolderAreRefusedUnlessTrusted) {
  const pipescope::testing::TempDir temp("hostile_links");
  const fs::path& dir = temp.path();
  fs::create_directories(dir / "sent" / "traces");
  fs::create_directories(dir / "elsewhere");
  const std::string measured = PIPESCOPE_TEST_DATA "/measured/1f1b-p4-m8";
  for (const auto& entry : fs::directory_iterator(measured)) fs::copy_file(entry.path(), dir / "elsewhere" / entry.path().filename());
  fs::copy_file(PIPESCOPE_TEST_DATA "/pytorch-schedules/1F1B-p4-m8.compute_only.csv", dir / "elsewhere" / "other.csv");
  fs::create_symlink(dir / "elsewhere" / "other.csv", dir / "sent" / "link.csv");
  fs::create_symlink("/etc/passwd", dir / "sent" / "passwd.csv");
  fs::create_directory_symlink(dir / "elsewhere", dir / "sent" / "linked-traces");
  // A folder inside whose one file links out.
  for (const auto& entry : fs::directory_iterator(measured)) {
    fs::create_symlink(dir / "elsewhere" / entry.path().filename(), dir / "sent" / "traces" / entry.path().filename());
  }
  auto write = [&](const std::string& key, const std::string& file) {
    std::ofstream(dir / "sent" / "s.json") << R"({"pipescope_session": 1, "params": {")" << key << R"(": ")" << file
                                           << R"("}})";
    return (dir / "sent" / "s.json").string();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {{"schedule_file", "link.csv"},
                                                                  {"schedule_file", "passwd.csv"},
                                                                  {"measured", "linked-traces"},
                                                                  {"measured", "traces"}};
  for (const auto& [key, named] : cases) {
    const std::string session = write(key, named);
    try {
      load_session(session);
      ADD_FAILURE() << key << " " << named << " was read";
    } catch (const UntrustedPath& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("links to files outside the session's folder"), std::string::npos) << what;
      EXPECT_NE(what.find("--trust-session"), std::string::npos) << what;
      EXPECT_EQ(what.find("root:"), std::string::npos) << "nothing of the file is quoted: " << what;
    } catch (const SessionError& e) {
      ADD_FAILURE() << key << " " << named << " was opened: " << e.what();
    }
  }
  // Trusted, the same links are read; a link that stays inside needs no trust.
  EXPECT_TRUE(load_session(write("schedule_file", "link.csv"), true).session.params.schedule_file);
  EXPECT_TRUE(load_session(write("measured", "linked-traces"), true).session.params.measured);
  fs::copy_file(dir / "elsewhere" / "other.csv", dir / "sent" / "mine.csv");
  fs::create_symlink("mine.csv", dir / "sent" / "inside.csv");
  EXPECT_TRUE(load_session(write("schedule_file", "inside.csv")).session.params.schedule_file);
}

TEST(HostileFiles, CsvCellsAreQuotedEscapedAndShort) {
  try {
    schedule_from_csv("x.csv", "0F0,\x1b]0;owned\x07" + std::string(5000, 'A') + "\n");
    FAIL();
  } catch (const ScheduleFileError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\x1b'), std::string::npos) << "no raw escape";
    EXPECT_NE(what.find("\\x1b]0;owned\\x07"), std::string::npos) << what;
    EXPECT_LT(what.size(), 300u) << what;
    EXPECT_NE(what.find("more bytes"), std::string::npos) << what;
  }
}

}  // namespace
