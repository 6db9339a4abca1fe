#include "pipescope/model/mesh.hpp"

#include <fmt/format.h>

#include "pipescope/model/params.hpp"

namespace pipescope {

std::string Mesh::text() const {
  const std::int64_t nodes = (gpus() + gpus_per_node - 1) / gpus_per_node;
  return fmt::format("dp {} x pp {} x tp {}{} = {} GPU{} on {} node{} of {}", dp, pp, tp,
                     cp > 1 ? fmt::format(" x cp {}", cp) : std::string(), gpus(), gpus() == 1 ? "" : "s", nodes,
                     nodes == 1 ? "" : "s", gpus_per_node);
}

Mesh mesh_of(const Params& p) { return {p.dp, p.pp, p.tp, p.gpus_per_node, p.cp}; }

std::string rank_label(const Params& p, std::int64_t rank, std::int64_t replica) {
  const std::int64_t group = p.tp * p.cp;  // the GPUs of one stage of one replica, consecutive
  if (group == 1) return fmt::format("GPU {}", rank);
  const std::int64_t first = mesh_of(p).gpu({replica, rank, 0, 0}).global;
  return fmt::format("GPUs {}-{}", first, first + group - 1);
}

}  // namespace pipescope
