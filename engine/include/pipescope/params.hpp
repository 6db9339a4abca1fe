#pragma once
// The notebook's parameters, under its names and defaults, and the rules a
// parameter set must satisfy before anything is built from it.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipescope/schedule_file.hpp"
#include "pipescope/zoo.hpp"

namespace pipescope {

struct Params {
  std::int64_t d_model = 8;
  // The notebook sets d_hidden = 2 * d_model; unset means "follow d_model".
  std::optional<std::int64_t> d_hidden;
  std::int64_t B = 48;
  std::int64_t L = 6;
  std::int64_t dp = 2;
  std::int64_t pp = 3;
  std::int64_t microbatches = 12;
  std::int64_t dp_gpu_delta = 16;
  std::int64_t pp_gpu_delta = 12;
  std::int64_t pp_comm_steps = 2;
  std::int64_t dp_comm_steps = 2;
  // Beyond the notebook: which schedule runs, and its op costs.
  ScheduleKind schedule = ScheduleKind::Notebook;
  // Stages per rank; unset means the schedule's default (2 for interleaved
  // and V schedules, else 1).
  std::optional<std::int64_t> chunks;
  std::int64_t cost_f = 1, cost_i = 1, cost_w = 1;  // frames per matmul
  // A schedule read from a file (--schedule-file): it replaces `schedule`,
  // and pp, microbatches and chunks must be the file's. Shared: a file's
  // program is never changed once read.
  std::shared_ptr<const ScheduleFile> schedule_file;

  // The seed notebook's own schedule (its generators, its exact dump).
  bool is_notebook() const { return !schedule_file && schedule == ScheduleKind::Notebook; }
  // "1f1b", or a schedule file's name.
  std::string schedule_name() const {
    return schedule_file ? schedule_file->name : std::string(schedule_info(schedule).name);
  }

  // Saturates rather than overflows: validate() refuses such sizes anyway.
  std::int64_t hidden() const {
    return d_hidden.value_or(d_model > INT64_MAX / 2 ? INT64_MAX : 2 * d_model);
  }
  std::int64_t stages_per_rank() const {
    if (schedule_file) return schedule_file->program.stages_per_rank();
    return chunks.value_or(schedule_info(schedule).default_chunks);
  }
  std::int64_t stages() const { return pp * stages_per_rank(); }
  std::int64_t layers_per_stage() const { return L / stages(); }
  // Which rank (GPU) of a replica holds a pipeline stage.
  std::int64_t rank_of_stage(std::int64_t stage) const {
    if (schedule_file) return schedule_file->program.rank_of(static_cast<int>(stage));
    if (schedule_info(schedule).placement == Placement::V && stage >= pp) return 2 * pp - 1 - stage;
    return stage % pp;
  }

  bool operator==(const Params&) const = default;
};

// Hard limits that keep a typo from turning into an out-of-memory.
inline constexpr double kMaxObjects = 2'000'000;
inline constexpr double kMaxFrames = 1'000'000;

struct ParamError {
  std::string field;    // the notebook's name of the offending parameter
  std::string message;  // names the value and the rule it breaks
};

// Every rule the parameters break, in a fixed order; empty when valid.
std::vector<ParamError> validate(const Params& p);

// Counts computed in floating point so that absurd inputs cannot overflow.
double estimated_object_count(const Params& p);
// The notebook schedule's frames in closed form; other schedules' come from
// their simulation (frame_count).
double estimated_frame_count(const Params& p);
// Frames of the animation these (valid, under the object cap) parameters give.
double frame_count(const Params& p);

// Thrown by builders handed parameters that fail validate().
struct InvalidParams : std::runtime_error {
  explicit InvalidParams(std::vector<ParamError> errors);
  std::vector<ParamError> errors;
};

}  // namespace pipescope
