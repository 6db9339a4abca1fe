#include "pipescope/measured/trace_summary.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace pipescope {

namespace {

bool contains_lower(std::string_view s, std::string_view what) {
  std::string lower(s.substr(0, 64));
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find(what) != std::string::npos;
}

// "nccl:all_reduce" -> "all-reduce"; "gloo:_reduce_scatter_base" -> "reduce-scatter"; nothing for others.
std::string collective_of(std::string_view label) {
  const auto colon = label.find(':');
  if (colon == std::string_view::npos) return {};
  const std::string_view lib = label.substr(0, colon);
  if (lib != "nccl" && lib != "gloo" && lib != "rccl" && lib != "mpi" && lib != "ucc") return {};
  std::string op(label.substr(colon + 1));
  while (!op.empty() && op.front() == '_') op.erase(op.begin());
  for (const std::string_view suffix : {"_base", "_coalesced", "_into_tensor", "_single"}) {
    if (op.ends_with(suffix)) op.erase(op.size() - suffix.size());
  }
  if (op == "allreduce" || op == "all_reduce") return "all-reduce";
  if (op == "allgather" || op == "all_gather") return "all-gather";
  if (op == "reduce_scatter" || op == "reducescatter") return "reduce-scatter";
  if (op == "all_to_all" || op == "alltoall" || op == "all_to_allv" || op == "alltoall_base") return "all-to-all";
  if (op == "broadcast") return "broadcast";
  if (op == "send" || op == "recv" || op == "barrier" || op == "reduce" || op == "gather" || op == "scatter") return op;
  return {};
}

bool pipeline_label(std::string_view name) {
  if (name.starts_with("PP:")) return true;
  // GPipe's own "Forward 3" / "Backward 3".
  for (const std::string_view p : {"Forward ", "Backward "}) {
    if (name.starts_with(p) && name.size() > p.size() &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(p.size()), name.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return true;
    }
  }
  return false;
}

std::string plural(int n, const std::string& what) {
  if (n == 1) return fmt::format("1 {}", what);
  if (what == "send/recv") return fmt::format("{} sends and receives", n);
  return fmt::format("{} {}{}", n, what, what.ends_with("s") ? "es" : "s");
}

}  // namespace

TraceSummary summarize_trace(const KinetoTrace& t) {
  TraceSummary s;
  s.rank = t.rank;
  s.world_size = t.world_size;
  s.backend = t.backend;
  for (const TraceEvent& e : t.events) {
    const std::string& name = t.names[static_cast<std::size_t>(e.name)];
    const double ns = static_cast<double>(e.end_ns - e.start_ns);
    switch (e.category) {
      case EventCategory::UserAnnotation: {
        if (pipeline_label(name)) ++s.pipeline_labels;
        std::string c = collective_of(name);
        if (c == "send" || c == "recv") c = "send/recv";
        if (!c.empty()) ++s.collectives[c];
        break;
      }
      case EventCategory::Kernel:
        ++s.kernels;
        if (contains_lower(name, "nccl") || contains_lower(name, "rccl")) s.communication_ns += ns;
        else if (contains_lower(name, "memcpy") || contains_lower(name, "memset")) s.memory_ns += ns;
        else s.compute_ns += ns;
        break;
      case EventCategory::Memory: s.memory_ns += ns; break;
      default: break;
    }
  }
  return s;
}

std::string TraceSummary::kind() const {
  auto has = [&](const char* c) { return collectives.contains(c); };
  std::vector<std::string> kinds;
  if (pipeline_labels > 0) kinds.push_back("pipeline");
  if (has("all-to-all")) kinds.push_back("all-to-all (embedding or expert)");
  // FSDP and ZeRO reduce-scatter the gradients (an all-gather alone serves many things).
  if (has("reduce-scatter")) kinds.push_back("sharded data (FSDP or ZeRO)");
  else if (has("all-reduce")) kinds.push_back("data");
  if (kinds.empty()) return has("send/recv") ? "point-to-point sends, no pipeline labels" : "no collectives";
  std::string out;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + kinds[i];
  }
  return out + " parallel";
}

std::string TraceSummary::text() const {
  std::string out = rank >= 0 && world_size >= 1 ? fmt::format("rank {} of {}", rank, world_size) : "one process";
  if (!backend.empty()) out += fmt::format(" ({})", backend);
  out += ", " + kind();
  // Most frequent first.
  std::vector<std::pair<std::string, int>> counts(collectives.begin(), collectives.end());
  std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out += (i == 0 ? ": " : ", ") + plural(counts[i].second, counts[i].first);
  }
  out += pipeline_labels > 0 ? fmt::format("; {} pipeline labels", pipeline_labels) : "; no pipeline stages";
  const double gpu = compute_ns + communication_ns + memory_ns;
  if (gpu > 0) {
    out += fmt::format("; GPU time ({} kernels): compute {:.0f} %, communication {:.0f} %, memory {:.0f} %", kernels,
                       100 * compute_ns / gpu, 100 * communication_ns / gpu, 100 * memory_ns / gpu);
  }
  return out;
}

}  // namespace pipescope
