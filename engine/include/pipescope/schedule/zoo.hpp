#pragma once
// The schedule zoo: every built-in schedule by name, its rules, and the
// program it gives each rank. For the schedules PyTorch has, the programs are
// PyTorch's own orders (torch.distributed.pipelining, its runtime order), so
// `pipescope schedule --format csv` equals PyTorch's compute-only CSV.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pipescope/schedule/program.hpp"

namespace pipescope {

enum class ScheduleKind : std::uint8_t {
  Notebook,        // the seed notebook: all F, then all I, then the weight gradients
  GPipe,           // all F, then all B
  OneFOneB,        // 1F1B
  Interleaved1F1B, // Megatron's interleaved 1F1B, v stages per rank
  LoopedBFS,       // breadth-first over v stages per rank
  ZBH1,            // zero bubble, 1F1B's memory (ZB1P)
  ZBH2,            // zero bubble, up to 2p-1 microbatches in flight
  InterleavedZB,   // PyTorch's InterleavedZeroBubble
  ZBV,             // zero bubble V (ZBVZeroBubble), 2 stages per rank
  DualPipeV,       // DeepSeek's DualPipeV, 2 stages per rank
  Auto,            // searched for the costs and the memory cap (auto_schedule.hpp)
};

struct ScheduleInfo {
  ScheduleKind kind;
  std::string_view name;     // the --schedule value
  std::string_view pytorch;  // PyTorch's class name without "Schedule", "" if none
  Placement placement;
  int min_chunks, max_chunks, default_chunks;  // stages per rank (--chunks)
  std::string_view summary;
};

std::span<const ScheduleInfo> schedule_catalog();
const ScheduleInfo& schedule_info(ScheduleKind kind);
std::optional<ScheduleKind> schedule_from_name(std::string_view name);
// "notebook, gpipe, 1f1b, ..." for messages and --help.
std::string schedule_names();

// The rule p ranks, m microbatches and v chunks break for this schedule
// (the same rule PyTorch enforces): the parameter's notebook-style name
// ("chunks", "microbatches") and a message; nothing when they are fine.
struct ScheduleRule {
  std::string field, message;
};
std::optional<ScheduleRule> schedule_rule_broken(ScheduleKind kind, std::int64_t p, std::int64_t m,
                                                 std::int64_t v);

// Which rank holds a stage under this schedule with v stages per rank
// (auto places 2 in a V).
Placement schedule_placement(ScheduleKind kind, std::int64_t v);

// Each rank's program. Requires schedule_rule_broken(...) to be "".
Program build_program(ScheduleKind kind, int p, int m, int v);

}  // namespace pipescope
