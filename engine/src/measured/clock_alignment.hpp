#pragma once
// Inside the measured-run reader: one clock for ranks whose hosts' clocks
// differ. Each file is on its host's clock (baseTimeNanoseconds added); a
// rank's shift is the least that makes every cross-rank dependency
// causal: the receive a pass waited on cannot end before the matching send
// started (the send after its producer, the receive before its consumer;
// without them, the consumer cannot start before its producer ended).

#include <cstdint>
#include <optional>
#include <vector>

#include "rank_actions.hpp"
#include "pipescope/schedule/program.hpp"

namespace pipescope::detail {

// ns to add to each record's times (records[i] is rank i); nothing when no
// shift satisfies them all (constraints that contradict each other).
std::optional<std::vector<std::int64_t>> align_clocks(const std::vector<RankRecord>& records, const Program& program);

}  // namespace pipescope::detail
