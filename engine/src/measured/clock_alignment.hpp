#pragma once
// Inside the measured-run reader: one clock for ranks whose hosts' clocks
// differ. Each file is on its host's clock (baseTimeNanoseconds added).
// Every cross-rank dependency bounds two ranks' offset: the receive a pass
// waited on cannot end before the matching send started (the send after its
// producer, the receive before its consumer; without them, the consumer
// cannot start before its producer ended). Messages one way bound it from
// below, the other way from above. Ranks already consistent keep their
// clocks (hosts that share one); otherwise each pair of neighbours is put in
// the middle of the window its messages both ways leave, as NTP centres a
// round trip, so a shifted host lands within a transfer of the truth, not at
// the edge of causality. Where midpoints cannot all hold, the least shifts
// that make every dependency causal.

#include <cstdint>
#include <optional>
#include <vector>

#include "rank_actions.hpp"
#include "pipescope/schedule/program.hpp"

namespace pipescope::detail {

struct ClockAlignment {
  std::vector<std::int64_t> shift;  // ns to add to each record's times (records[i] is rank i)
  // Per rank: how far its shift may be from the truth relative to the rank
  // it was placed against (`against`): half the window their messages leave.
  std::vector<std::int64_t> residue;
  std::vector<int> against;  // -1: not moved, or placed by the least shifts
  bool centred = false;      // midpoints (NTP-style), not the least shifts
};

// Nothing when no shift satisfies every dependency (constraints that contradict each other).
std::optional<ClockAlignment> align_clocks(const std::vector<RankRecord>& records, const Program& program);

}  // namespace pipescope::detail
