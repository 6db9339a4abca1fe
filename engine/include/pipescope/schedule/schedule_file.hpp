#pragma once
// A schedule read from a file (PyTorch's CSV schedule IR), ready to stand in
// for a built-in schedule: it fixes pp (its rows), microbatches and stages
// per rank, and it is known not to deadlock.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pipescope/schedule/program.hpp"

namespace pipescope {

struct ScheduleFile {
  std::string path;  // as the user gave it (sessions store it)
  std::string name;  // the file's name, for titles, logs and dumps
  Program program;
};

// "PATH: line L, column C: rule", "PATH: cannot be read: reason" or
// "PATH: the program deadlocks: ...".
struct ScheduleFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `text` (the file at `path`) and checks that it runs to the end.
std::shared_ptr<const ScheduleFile> schedule_from_csv(std::string path, std::string_view text);
// Reads the file, then as schedule_from_csv.
std::shared_ptr<const ScheduleFile> load_schedule_file(const std::string& path);

}  // namespace pipescope
