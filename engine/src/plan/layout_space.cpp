#include "layout_space.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "pipescope/plan/planner.hpp"

namespace pipescope {

namespace detail {

namespace {

// Past these the layouts are slower or refused by every framework we model:
// interleaving deeper than 8 stages a rank, microbatches of more than 32
// sequences, context parallelism on chunks under 512 tokens.
constexpr std::int64_t kMostChunks = 8, kLargestMicrobatch = 32, kLeastCpTokens = 512;

// In ascending order, at most `at_most`; O(sqrt n), so a batch of a billion is no wait.
std::vector<std::int64_t> divisors(std::int64_t n, std::int64_t at_most = INT64_MAX) {
  std::vector<std::int64_t> small, large;
  for (std::int64_t d = 1; d <= n / d; ++d) {
    if (n % d != 0) continue;
    small.push_back(d);
    if (d != n / d) large.push_back(n / d);
  }
  small.insert(small.end(), large.rbegin(), large.rend());
  std::erase_if(small, [&](std::int64_t d) { return d > at_most; });
  return small;
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
    // Doubling stops before it could pass int64's end (a huge count wrapped it to 0 once).
    for (std::int64_t cp = 1; cp <= gpus / tp; cp = cp > gpus / tp / 2 ? gpus / tp + 1 : 2 * cp) {
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
  // A count some layout uses is tp x cp x pp x dp, each bounded by the model
  // (a node, the sequence, the layers, the batch): gather those products and
  // keep the nearest a layout really allows. Walking out from `gpus` one
  // count at a time never ends for a count far from every layout.
  std::set<std::int64_t> products;
  for (const std::int64_t tp : detail::divisors(base.gpus_per_node)) {
    for (std::int64_t cp = 1; cp == 1 || (cp > 0 && base.seq_len / cp >= detail::kLeastCpTokens); cp *= 2) {
      for (const std::int64_t pp : detail::divisors(base.L)) {
        for (const std::int64_t dp : detail::divisors(base.B)) {
          // No GPU count comes near int64's end: such a product is no answer.
          if (static_cast<double>(tp) * static_cast<double>(cp) * static_cast<double>(pp) * static_cast<double>(dp) < 1e15) {
            products.insert(tp * cp * pp * dp);
          }
        }
      }
    }
  }
  std::vector<std::int64_t> nearest(products.begin(), products.end());
  std::stable_sort(nearest.begin(), nearest.end(), [&](std::int64_t a, std::int64_t b) {
    const std::int64_t da = a > gpus ? a - gpus : gpus - a, db = b > gpus ? b - gpus : gpus - b;
    return da < db;
  });
  std::vector<std::int64_t> out;
  for (const std::int64_t n : nearest) {
    if (static_cast<int>(out.size()) >= how_many) break;
    if (n != gpus && !detail::shapes_of(base, n, {}, true).empty()) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pipescope
