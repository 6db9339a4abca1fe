#include "pipescope/measured/trace_mesh.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipescope/measured/measured_run.hpp"

namespace pipescope {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One group as the run has it, from whichever rank listed it first.
struct Group {
  std::vector<int> ranks;
  std::string label;  // its description, or "group N" when it has none
  std::string dim;    // group_dimension
};

std::string group_text(const Group& g) {
  std::vector<int> shown(g.ranks.begin(), g.ranks.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(g.ranks.size(), 8)));
  return fmt::format("{} [{}{}]", g.label, fmt::join(shown, ","), g.ranks.size() > 8 ? ",..." : "");
}

std::string groups_text(const std::vector<Group>& groups) {
  if (groups.empty()) return "none but the default group";
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < groups.size() && i < 12; ++i) parts.push_back(group_text(groups[i]));
  return fmt::format("{}{}", fmt::join(parts, ", "), groups.size() > 12 ? fmt::format(" and {} more", groups.size() - 12) : "");
}

// Whether `family` (groups of one size) has every rank of the world in exactly one group.
bool partitions(const std::vector<const Group*>& family, int world) {
  std::vector<int> seen(static_cast<std::size_t>(world), 0);
  for (const Group* g : family) {
    for (int r : g->ranks) {
      if (r < 0 || r >= world || seen[static_cast<std::size_t>(r)]++) return false;
    }
  }
  return std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; });
}

// A rank's position in the group of `family` holding it (0 when none does).
std::vector<int> positions(const std::vector<const Group*>& family, int world) {
  std::vector<int> at(static_cast<std::size_t>(world), 0);
  for (const Group* g : family) {
    for (std::size_t i = 0; i < g->ranks.size(); ++i) {
      const int r = g->ranks[i];
      if (r >= 0 && r < world) at[static_cast<std::size_t>(r)] = static_cast<int>(i);
    }
  }
  return at;
}

TraceMesh mesh_of(int world, std::vector<std::vector<int>> pipelines, const std::vector<int>& replica_at,
                  const std::vector<int>& tp_at, int tp, std::string how) {
  TraceMesh m;
  m.world = world;
  m.pp = pipelines.empty() ? 0 : static_cast<int>(pipelines.front().size());
  m.tp = tp;
  std::sort(pipelines.begin(), pipelines.end(), [&](const auto& a, const auto& b) {
    const auto key = [&](const std::vector<int>& p) {
      return std::tuple(replica_at[static_cast<std::size_t>(p.front())], tp_at[static_cast<std::size_t>(p.front())], p.front());
    };
    return key(a) < key(b);
  });
  for (const auto& p : pipelines) {
    m.replica_of.push_back(replica_at[static_cast<std::size_t>(p.front())]);
    m.tp_rank_of.push_back(tp_at[static_cast<std::size_t>(p.front())]);
  }
  m.dp = std::max(1, static_cast<int>(pipelines.size()) / std::max(1, tp));
  m.pipelines = std::move(pipelines);
  m.how = std::move(how);
  return m;
}

}  // namespace

std::string group_dimension(const ProcessGroup& group) {
  for (const std::string& raw : {group.desc, group.name}) {
    std::string s = lower(raw);
    if (s.starts_with("mesh_")) s = s.substr(5);
    // DeviceMesh's dimension names (torchtitan's, flattened ones included).
    if (s == "pp" || s == "pipe" || s == "pipeline") return "pp";
    if (s == "tp" || s == "tensor") return "tp";
    if (s == "dp" || s == "dp_replicate" || s == "dp_shard" || s == "fsdp" || s == "ddp" || s == "data") return "dp";
    if (s == "cp" || s == "context" || s == "dp_cp" || s == "dp_shard_cp") return "cp";
    if (s == "ep" || s == "expert" || s.starts_with("ep_") || s.starts_with("dp_shard_mod_ep")) return "ep";
    // Megatron's group descriptions.
    if (s.find("embedding") != std::string::npos || s.find("amax") != std::string::npos) return "other";
    if (s.find("expert") != std::string::npos) return "ep";
    if (s.find("context") != std::string::npos || s.find("with_cp") != std::string::npos) return "cp";
    if (s.find("pipeline_model_parallel") != std::string::npos) return "pp";
    if (s.find("tensor_model_parallel") != std::string::npos || s.find("tensor_and") != std::string::npos) {
      return s == "tensor_model_parallel_group" ? "tp" : "other";
    }
    if (s.find("data_parallel") != std::string::npos) return "dp";
    if (s.find("model_parallel") != std::string::npos) return "other";
  }
  return "";
}

TraceMesh read_trace_mesh(int world, const std::vector<std::vector<ProcessGroup>>& groups_by_rank,
                          const PipelinesCheck& check, const ReplicasCheck& replicas) {
  // The run's groups, each once (by its ranks), without the default group.
  std::vector<Group> groups;
  std::set<std::vector<int>> seen;
  for (const auto& listed : groups_by_rank) {
    for (const ProcessGroup& g : listed) {
      if (g.ranks.empty() || g.desc == "default_pg" || !seen.insert(g.ranks).second) continue;
      const bool unnamed = g.desc.empty() || g.desc == "undefined";
      Group group{g.ranks, unnamed ? "group " + g.name : g.desc, group_dimension(g)};
      if (group.dim.empty() && static_cast<int>(g.ranks.size()) == world) continue;  // another default group
      groups.push_back(std::move(group));
    }
  }
  auto family = [&](const std::string& dim) {
    std::vector<const Group*> out;
    for (const Group& g : groups) {
      if (g.dim == dim) out.push_back(&g);
    }
    return out;
  };
  for (const char* unsupported : {"cp", "ep"}) {
    const auto f = family(unsupported);
    if (!f.empty() && f.front()->ranks.size() > 1) {
      throw MeasuredRunError(fmt::format(
          "the run has {} groups ({}): pipescope reads meshes of pipeline, data and tensor parallel ranks (the "
          "groups found: {})",
          std::string(unsupported) == "cp" ? "context-parallel" : "expert-parallel", group_text(*f.front()),
          groups_text(groups)));
    }
  }
  const std::vector<int> zeros(static_cast<std::size_t>(world), 0);
  std::string first_failure;
  auto attempt = [&](const std::vector<std::vector<int>>& pipelines) {
    const std::string why = check(pipelines);
    if (!why.empty() && first_failure.empty()) first_failure = why;
    return why.empty();
  };
  auto refuse = [&](const std::string& reading) -> TraceMesh {
    throw MeasuredRunError(fmt::format("{} (reading the run's {} ranks {}; its process groups: {})", first_failure,
                                       world, reading, groups_text(groups)));
  };

  // 1. Named groups.
  const auto pp_groups = family("pp"), dp_groups = family("dp"), tp_groups = family("tp");
  const int tp = tp_groups.empty() ? 1 : static_cast<int>(tp_groups.front()->ranks.size());
  const std::vector<int> replica_at = dp_groups.empty() ? zeros : positions(dp_groups, world);
  const std::vector<int> tp_at = tp_groups.empty() ? zeros : positions(tp_groups, world);
  std::vector<std::string> named;
  for (const auto* f : {&pp_groups, &dp_groups, &tp_groups}) {
    if (!f->empty()) named.push_back(f->front()->label);
  }
  const std::string named_how = fmt::format("from the process groups' names ({})", fmt::join(named, ", "));
  if (!pp_groups.empty()) {
    if (!partitions(pp_groups, world)) {
      throw MeasuredRunError(fmt::format("the run's pipeline groups do not hold each of its {} ranks once: {}", world,
                                         groups_text(groups)));
    }
    std::vector<std::vector<int>> pipelines;
    for (const Group* g : pp_groups) pipelines.push_back(g->ranks);
    if (!attempt(pipelines)) refuse("as its pipeline groups say");
    return mesh_of(world, pipelines, replica_at, tp_at, tp, named_how);
  }
  if (!dp_groups.empty() || !tp_groups.empty()) {
    // No pipeline groups named: a pipeline is the ranks at the same place in
    // their data- and tensor-parallel groups, by rank (pp outermost).
    std::map<std::pair<int, int>, std::vector<int>> by_place;
    for (int r = 0; r < world; ++r) by_place[{replica_at[static_cast<std::size_t>(r)], tp_at[static_cast<std::size_t>(r)]}].push_back(r);
    std::vector<std::vector<int>> pipelines;
    for (auto& [place, ranks] : by_place) pipelines.push_back(std::move(ranks));
    const bool even = std::all_of(pipelines.begin(), pipelines.end(), [&](const auto& p) { return p.size() == pipelines.front().size(); });
    if (even && attempt(pipelines)) {
      return mesh_of(world, pipelines, replica_at, tp_at, tp, named_how + ", the pipelines as the ranks between them");
    }
  }

  // 2. Unnamed groups: the family whose ranks' passes make whole pipelines.
  std::map<std::size_t, std::vector<const Group*>> by_size;
  for (const Group& g : groups) {
    if (g.dim.empty() && g.ranks.size() > 1) by_size[g.ranks.size()].push_back(&g);
  }
  for (auto& [size, f] : by_size) {
    if (!partitions(f, world)) continue;
    std::vector<std::vector<int>> pipelines;
    for (const Group* g : f) pipelines.push_back(g->ranks);
    if (!attempt(pipelines)) continue;
    // The other family of groups, if one partitions the world across these, is data parallel.
    std::vector<int> replicas = zeros;
    for (auto& [other_size, other] : by_size) {
      if (other_size * size == static_cast<std::size_t>(world) && partitions(other, world)) replicas = positions(other, world);
    }
    if (replicas == zeros) {
      for (std::size_t i = 0; i < pipelines.size(); ++i) {
        for (int r : pipelines[i]) replicas[static_cast<std::size_t>(r)] = static_cast<int>(i);
      }
    }
    return mesh_of(world, pipelines, replicas, zeros, 1,
                   fmt::format("from unnamed process groups of {} ranks, whose sends and receives make whole pipelines", size));
  }

  // 3. Megatron's and torchtitan's rank order: pp outermost, then dp.
  auto rank_order = [&](int dp) {
    std::vector<std::vector<int>> pipelines(static_cast<std::size_t>(dp));
    for (int r = 0; r < world; ++r) pipelines[static_cast<std::size_t>(r % dp)].push_back(r);
    return pipelines;
  };
  auto by_rank_order = [&](int dp, const std::vector<std::vector<int>>& pipelines, const char* why) {
    std::vector<int> replica(static_cast<std::size_t>(world));
    for (int r = 0; r < world; ++r) replica[static_cast<std::size_t>(r)] = r % dp;
    return mesh_of(world, pipelines, replica, zeros, 1,
                   fmt::format("by Megatron's and torchtitan's rank order (pp outermost: rank = pp_rank x {} + "
                               "dp_rank), as the traces name no groups{}",
                               dp, why));
  };
  if (groups.empty() && replicas) {
    // Replicas all-reduce together: where a rank order's do, it is the mesh.
    for (int dp = 2; dp <= world / 2; ++dp) {
      if (world % dp != 0) continue;
      const auto pipelines = rank_order(dp);
      if (replicas(pipelines) && check(pipelines).empty()) {
        return by_rank_order(dp, pipelines, " and each stage's replicas ran their all-reduces together");
      }
    }
  }
  // 4. One pipeline of every rank (a pipeline-only run has no other groups).
  std::vector<std::vector<int>> one(1);
  for (int r = 0; r < world; ++r) one.front().push_back(r);
  if (attempt(one)) return mesh_of(world, one, zeros, zeros, 1, "one pipeline of every rank");
  const std::string as_one = first_failure;
  for (int dp = 2; dp <= world / 2; ++dp) {
    if (world % dp != 0) continue;
    const auto pipelines = rank_order(dp);
    if (check(pipelines).empty()) return by_rank_order(dp, pipelines, "");
  }
  first_failure = as_one;
  return groups.empty() ? throw MeasuredRunError(as_one) : refuse("as one pipeline");
}

}  // namespace pipescope
