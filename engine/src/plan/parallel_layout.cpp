#include "pipescope/plan/parallel_layout.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

namespace {

constexpr std::array<std::string_view, 3> kRecompute{"none", "selective", "full"};

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view recompute_name(Recompute r) { return kRecompute[static_cast<std::size_t>(r)]; }

Params apply_layout(const Params& base, const ParallelLayout& l) {
  Params p = base;
  p.tp = l.tp;
  p.cp = l.cp;
  p.ep = l.ep;
  p.pp = l.pp;
  p.dp = l.dp;
  p.microbatches = l.microbatches;
  p.B = l.dp * l.microbatches * l.microbatch_size;
  p.recompute = static_cast<std::int64_t>(l.recompute);
  p.zero = l.zero;
  p.schedule = l.schedule;
  p.chunks = l.chunks;
  // A layout cut by tensor parallelism runs sequence parallel, as Megatron does beside it.
  p.sp = l.tp > 1 ? 1 : 0;
  p.schedule_file.reset();
  p.measured.reset();
  return p;
}

ParallelLayout layout_of(const Params& p) {
  ParallelLayout l;
  l.tp = p.tp;
  l.cp = p.cp;
  l.ep = p.ep;
  l.pp = p.pp;
  l.dp = p.dp;
  l.chunks = p.stages_per_rank();
  l.microbatches = p.microbatches;
  l.microbatch_size = std::max<std::int64_t>(1, p.B / std::max<std::int64_t>(1, p.dp * p.microbatches));
  l.recompute = p.recompute_kind();
  l.zero = p.zero;
  l.schedule = p.schedule;
  return l;
}

std::string layout_flags(const ParallelLayout& l) {
  return fmt::format("--tp {} --cp {} --ep {} --pp {} --dp {} --chunks {} --microbatches {} --batch {} --recompute {} "
                     "--zero {} --schedule {} --sp {}",
                     l.tp, l.cp, l.ep, l.pp, l.dp, l.chunks, l.microbatches, l.dp * l.microbatches * l.microbatch_size,
                     recompute_name(l.recompute), l.zero, schedule_info(l.schedule).name, l.tp > 1 ? 1 : 0);
}

std::string layout_text(const ParallelLayout& l) {
  std::string s = fmt::format("tp {} pp {} dp {}", l.tp, l.pp, l.dp);
  if (l.cp > 1) s += fmt::format(" cp {}", l.cp);
  if (l.ep > 1) s += fmt::format(" ep {}", l.ep);
  if (l.chunks > 1) s += fmt::format(" v {}", l.chunks);
  s += fmt::format(", mb {} x {}, {}", l.microbatch_size, l.microbatches, schedule_info(l.schedule).name);
  if (l.recompute != Recompute::None) s += fmt::format(", {} recompute", recompute_name(l.recompute));
  if (l.zero > 0) s += fmt::format(", ZeRO {}", l.zero);
  return s;
}

bool LayoutConstraints::allows(const ParallelLayout& l) const {
  auto ok = [](const auto& fixed, const auto& value) { return !fixed || *fixed == value; };
  return ok(tp, l.tp) && ok(cp, l.cp) && ok(ep, l.ep) && ok(pp, l.pp) && ok(dp, l.dp) && ok(chunks, l.chunks) &&
         ok(microbatches, l.microbatches) && ok(microbatch_size, l.microbatch_size) && ok(zero, l.zero) &&
         ok(recompute, l.recompute) && ok(schedule, l.schedule);
}

bool LayoutConstraints::empty() const { return constraints_text(*this).empty(); }

std::string add_constraint(LayoutConstraints& c, std::string_view kv) {
  const auto eq = kv.find('=');
  if (eq == std::string_view::npos) {
    return fmt::format("'{}' is not key=value (for example tp=8)", kv);
  }
  const std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
  if (key == "recompute") {
    for (std::size_t i = 0; i < kRecompute.size(); ++i) {
      if (kRecompute[i] == value) {
        c.recompute = static_cast<Recompute>(i);
        return {};
      }
    }
    return fmt::format("recompute={} is not a choice: give none, selective or full", value);
  }
  if (key == "schedule") {
    const auto kind = schedule_from_name(value);
    if (!kind || *kind == ScheduleKind::Notebook) {
      return fmt::format("schedule={} is not a schedule the planner runs: give one of {}", value, schedule_names());
    }
    c.schedule = *kind;
    return {};
  }
  std::optional<std::int64_t>* slot = key == "tp"                ? &c.tp
                                      : key == "cp"              ? &c.cp
                                      : key == "ep"              ? &c.ep
                                      : key == "pp"              ? &c.pp
                                      : key == "dp"              ? &c.dp
                                      : key == "chunks"          ? &c.chunks
                                      : key == "microbatches"    ? &c.microbatches
                                      : key == "microbatch-size" ? &c.microbatch_size
                                      : key == "zero"            ? &c.zero
                                                                 : nullptr;
  if (slot == nullptr) {
    return fmt::format("'{}' is not a layout key: fix one of tp, cp, ep, pp, dp, chunks, microbatches, "
                       "microbatch-size, zero, recompute, schedule",
                       key);
  }
  const auto v = whole_number(value);
  const std::int64_t least = key == "zero" ? 0 : 1;
  if (!v || *v < least || (key == "zero" && *v > 3)) {
    return fmt::format("{}={} must be a whole number {}", key, value, key == "zero" ? "from 0 to 3" : "of 1 or more");
  }
  *slot = *v;
  return {};
}

std::string constraints_text(const LayoutConstraints& c) {
  std::string s;
  auto add = [&](std::string_view key, const std::optional<std::int64_t>& v) {
    if (v) s += fmt::format("{}{}={}", s.empty() ? "" : ", ", key, *v);
  };
  add("tp", c.tp);
  add("cp", c.cp);
  add("ep", c.ep);
  add("pp", c.pp);
  add("dp", c.dp);
  add("chunks", c.chunks);
  add("microbatches", c.microbatches);
  add("microbatch-size", c.microbatch_size);
  add("zero", c.zero);
  if (c.recompute) s += fmt::format("{}recompute={}", s.empty() ? "" : ", ", recompute_name(*c.recompute));
  if (c.schedule) s += fmt::format("{}schedule={}", s.empty() ? "" : ", ", schedule_info(*c.schedule).name);
  return s;
}

}  // namespace pipescope
