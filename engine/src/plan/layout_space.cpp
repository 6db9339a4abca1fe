#include "layout_space.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pipescope/plan/planner.hpp"

namespace pipescope {

namespace detail {

namespace {

// Past these the layouts are slower or refused by every framework we model:
// interleaving deeper than 8 stages a rank, microbatches of more than 32
// sequences, context parallelism on chunks under 512 tokens.
constexpr std::int64_t kMostChunks = 8, kLargestMicrobatch = 32, kLeastCpTokens = 512;

std::vector<std::int64_t> divisors(std::int64_t n, std::int64_t at_most = INT64_MAX) {
  std::vector<std::int64_t> out;
  for (std::int64_t d = 1; d <= n && d <= at_most; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

}  // namespace

// The schedules tried for a pipeline of pp ranks and v stages a rank.
// GPipe and looped BFS are left out: 1F1B runs the same passes holding less.
std::vector<ScheduleKind> schedules_for(std::int64_t pp, std::int64_t v) {
  if (pp == 1) return {ScheduleKind::OneFOneB};
  if (v == 1) return {ScheduleKind::OneFOneB, ScheduleKind::ZBH1, ScheduleKind::ZBH2};
  std::vector<ScheduleKind> out{ScheduleKind::Interleaved1F1B, ScheduleKind::InterleavedZB};
  if (v == 2) {
    out.push_back(ScheduleKind::ZBV);
    out.push_back(ScheduleKind::DualPipeV);
  }
  return out;
}

// Every shape (degrees, stages a rank, microbatching, recomputation) the
// layout rules allow on `gpus`; the schedule and ZeRO stage come later.
// `stop_at_one`: only whether there is any.
std::vector<ParallelLayout> shapes_of(const Params& base, std::int64_t gpus, const LayoutConstraints& fixed,
                                      bool stop_at_one) {
  std::vector<ParallelLayout> out;
  const std::int64_t heads = base.effective_heads(), kv = base.effective_kv_heads();
  auto tp_fits = [&](std::int64_t tp) {
    return heads % tp == 0 && kv % tp == 0 && base.hidden() % tp == 0 &&
           (base.experts == 0 || base.effective_expert_d_hidden() % tp == 0);
  };
  for (const std::int64_t tp : divisors(base.gpus_per_node)) {
    if (gpus % tp != 0 || !tp_fits(tp) || !fixed_allows(fixed.tp, tp)) continue;
    for (std::int64_t cp = 1; cp <= gpus / tp; cp *= 2) {
      if ((gpus / tp) % cp != 0 || !fixed_allows(fixed.cp, cp)) continue;
      if (cp > 1 && (base.seq_len % (2 * cp) != 0 || base.seq_len / cp < kLeastCpTokens)) continue;
      for (const std::int64_t pp : divisors(base.L)) {
        if ((gpus / tp / cp) % pp != 0 || !fixed_allows(fixed.pp, pp)) continue;
        const std::int64_t dp = gpus / tp / cp / pp;
        if (base.B % dp != 0 || !fixed_allows(fixed.dp, dp)) continue;
        std::vector<std::int64_t> eps{1};
        if (base.experts > 0) {
          eps.clear();
          for (const std::int64_t ep : divisors(base.experts)) {
            if ((dp * cp) % ep == 0) eps.push_back(ep);
          }
        }
        for (const std::int64_t ep : eps) {
          if (!fixed_allows(fixed.ep, ep)) continue;
          for (const std::int64_t v : divisors(base.L / pp, pp > 1 ? kMostChunks : 1)) {
            if (!fixed_allows(fixed.chunks, v)) continue;
            for (const std::int64_t b : divisors(base.B / dp, kLargestMicrobatch)) {
              const std::int64_t m = base.B / dp / b;
              if (!fixed_allows(fixed.microbatch_size, b) || !fixed_allows(fixed.microbatches, m)) continue;
              for (const Recompute rc : {Recompute::None, Recompute::Selective, Recompute::Full}) {
                if (!fixed_allows(fixed.recompute, rc)) continue;
                ParallelLayout l;
                l.tp = tp, l.cp = cp, l.ep = ep, l.pp = pp, l.dp = dp, l.chunks = v;
                l.microbatches = m, l.microbatch_size = b, l.recompute = rc;
                out.push_back(l);
                if (stop_at_one) return out;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

std::string why_no_shape(const Params& base, std::int64_t gpus, const LayoutConstraints& fixed) {
  if (!shapes_of(base, gpus, {}, true).empty()) {
    // The constraints: one that no layout has on its own, or the set.
    auto alone = [&](auto member, const auto& value) {
      LayoutConstraints one;
      one.*member = value;
      return shapes_of(base, gpus, one, true).empty();
    };
    for (const auto& [key, member] : std::initializer_list<std::pair<const char*, std::optional<std::int64_t> LayoutConstraints::*>>{
             {"tp", &LayoutConstraints::tp}, {"cp", &LayoutConstraints::cp}, {"ep", &LayoutConstraints::ep},
             {"pp", &LayoutConstraints::pp}, {"dp", &LayoutConstraints::dp}, {"chunks", &LayoutConstraints::chunks},
             {"microbatches", &LayoutConstraints::microbatches},
             {"microbatch-size", &LayoutConstraints::microbatch_size}}) {
      if (const auto& v = fixed.*member; v && alone(member, v)) {
        return fmt::format(
            "--fix {}={}: no layout of {} GPUs has it (tp divides the heads ({}) and a node's {} GPUs; pp x chunks "
            "divides the layers ({}); dp divides the batch ({}); tp x cp x pp x dp = {}); leave it free or change it",
            key, *v, gpus, base.effective_heads(), base.gpus_per_node, base.L, base.B, gpus);
      }
    }
    return fmt::format("the fixes {} cannot hold together on {} GPUs (tp x cp x pp x dp must be {}, pp x chunks must "
                       "divide the layers ({}) and the microbatches must cut the batch ({}) evenly): drop one",
                       constraints_text(fixed), gpus, gpus, base.L, base.B);
  }
  const auto near = usable_gpu_counts(base, gpus, 6);
  std::string counts;
  for (const auto n : near) counts += fmt::format("{}{}", counts.empty() ? "" : ", ", n);
  return fmt::format("no layout uses {} GPUs: tp x cp x pp x dp must be {}, with tp dividing the heads ({}) within a "
                     "node of {}, pp dividing the layers ({}) and dp dividing the batch ({}); counts that work near "
                     "it: {}",
                     gpus, gpus, base.effective_heads(), base.gpus_per_node, base.L, base.B,
                     counts.empty() ? "none" : counts);
}

}  // namespace detail

std::vector<std::int64_t> usable_gpu_counts(const Params& base, std::int64_t gpus, int how_many) {
  std::vector<std::int64_t> out;
  for (std::int64_t d = 1; d <= gpus + 64 && static_cast<int>(out.size()) < how_many; ++d) {
    for (const std::int64_t n : {gpus - d, gpus + d}) {
      if (n >= 1 && static_cast<int>(out.size()) < how_many && !detail::shapes_of(base, n, {}, true).empty()) out.push_back(n);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pipescope
