#include "pipescope/analysis/why_slow.hpp"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipescope/analysis/units.hpp"

namespace pipescope {

namespace {

std::string time(std::int64_t ns) { return duration_text(TimeUnit::Nanoseconds, static_cast<double>(ns)); }

}  // namespace

std::string why_slow(const MeasuredRun& run, const MeasuredSplit& s) {
  if (s.slowest < 0) return "";
  std::size_t at = 0;
  while (at < run.ranks.size() && run.ranks[at].rank != s.slowest) ++at;
  if (at == run.ranks.size() || at >= s.ranks.size()) return "";
  const RankSplit& r = s.ranks[at];
  std::vector<std::string> ops;
  for (std::size_t i = 0; i < s.excess_operators.size() && i < 3; ++i) {
    const OperatorExcess& o = s.excess_operators[i];
    ops.push_back(fmt::format("{} {} against {}", o.name, time(o.mine), time(o.peers)));
  }
  const std::string peers = s.per_pass ? fmt::format("its stage's replicas'") : "the other ranks'";
  std::string out = fmt::format("its own compute took {} {} than {} median{}", time(std::abs(s.compute_excess)),
                                s.compute_excess >= 0 ? "longer" : "less", peers,
                                ops.empty() ? "" : fmt::format(" (most beyond them: {})", fmt::join(ops, "; ")));
  out += fmt::format("; it waited {} on peers' passes, and spent {} in sends and receives, {} of them beyond the "
                     "fastest transfer ({})",
                     time(r.waiting_on_peers), time(r.comm_needed + r.comm_beyond), time(r.comm_beyond),
                     time(s.fastest_transfer));
  if (r.collective > 0) out += fmt::format(", and {} in its all-reduces after its last pass", time(r.collective));
  // Transfers that can be fast are not a slow network: the rank itself is.
  if (s.compute_excess > r.comm_beyond) {
    out += ". Its compute, not the network, makes it slow: CPU contention or a slower device (its transfers can take " +
           time(s.fastest_transfer) + ")";
  } else {
    out += ". Its time beyond the transfers' is waiting inside them, not compute";
  }
  return out;
}

}  // namespace pipescope
