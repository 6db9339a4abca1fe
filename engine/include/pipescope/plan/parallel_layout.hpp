#pragma once
// One way to lay a model out on GPUs: the parallelism degrees, how the batch
// is cut into microbatches, what each GPU keeps and the schedule. The
// planner (planner.hpp) ranks them; apply_layout() turns one into the
// parameters every other view reads, so a row of the plan loads as a session.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipescope/model/params.hpp"

namespace pipescope {

struct ParallelLayout {
  std::int64_t tp = 1, cp = 1, ep = 1, pp = 1, dp = 1;
  std::int64_t chunks = 1;           // pipeline stages per rank (2 and up: interleaved, or a V)
  std::int64_t microbatches = 1;     // per replica
  std::int64_t microbatch_size = 1;  // sequences: batch / dp / microbatches
  Recompute recompute = Recompute::None;
  std::int64_t zero = 0;
  ScheduleKind schedule = ScheduleKind::OneFOneB;
  bool operator==(const ParallelLayout&) const = default;
};

// `base` with the layout's degrees, microbatches, recomputation, ZeRO stage
// and schedule (the model, cluster and hardware stay base's).
Params apply_layout(const Params& base, const ParallelLayout& layout);
// The layout parameters describe (microbatch_size from the batch).
ParallelLayout layout_of(const Params& p);
// The command-line flags that set it: "--tp 8 --pp 4 --dp 2 ...".
std::string layout_flags(const ParallelLayout& layout);
// One short line for tables: "tp 8 pp 4 dp 2, mb 1 x 16, 1f1b, selective, ZeRO 1".
std::string layout_text(const ParallelLayout& layout);
std::string_view recompute_name(Recompute r);

// The layout keys a plan can fix (--fix tp=8): each a value, or a name for
// recompute and schedule.
struct LayoutConstraints {
  std::optional<std::int64_t> tp, cp, ep, pp, dp, chunks, microbatches, microbatch_size, zero;
  std::optional<Recompute> recompute;
  std::optional<ScheduleKind> schedule;
  bool allows(const ParallelLayout& l) const;
  bool empty() const;
};
// Adds "key=value" (tp, cp, ep, pp, dp, chunks, microbatches,
// microbatch-size, zero, recompute, schedule); the error names the value
// and the rule, or is empty.
std::string add_constraint(LayoutConstraints& constraints, std::string_view key_value);
// "tp=8, pp=4": what was fixed, for messages.
std::string constraints_text(const LayoutConstraints& constraints);

}  // namespace pipescope
