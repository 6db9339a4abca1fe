#include "pipescope/schedule/schedule_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipescope/io/input_file.hpp"
#include "pipescope/schedule/program_csv.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

namespace {
// A CSV larger than this is not a schedule anyone wrote (PyTorch's p 64,
// m 1024 lowered file is a few MiB): refuse it before reading it whole.
constexpr std::size_t kMaxFileBytes = 64u << 20;
}  // namespace

std::shared_ptr<const ScheduleFile> schedule_from_csv(std::string path, std::string_view text) {
  auto file = std::make_shared<ScheduleFile>();
  file->name = std::filesystem::path(path).filename().string();
  file->path = std::move(path);
  try {
    file->program = parse_schedule_csv(text).program;
  } catch (const CsvError& e) {
    throw ScheduleFileError(file->path + ": " + e.what());
  }
  try {
    // Whether a program can run to the end does not depend on the costs:
    // unit costs and instant sends find every cycle.
    simulate(file->program, Costs{});
  } catch (const Deadlock& e) {
    throw ScheduleFileError(file->path + ": the program deadlocks: " + e.what());
  }
  return file;
}

std::shared_ptr<const ScheduleFile> load_schedule_file(const std::string& path) {
  std::string text;
  try {
    text = read_input_file(path, kMaxFileBytes, "a CSV file");
  } catch (const InputFileError& e) {
    throw ScheduleFileError(e.what());
  }
  return schedule_from_csv(path, text);
}

}  // namespace pipescope
