#pragma once
// The mesh a run's traces describe: which ranks form each pipeline, and the
// data- and tensor-parallel groups around them. Read, in order of trust,
// from:
//   - the process groups' names in distributedInfo.pg_config (DeviceMesh's
//     "mesh_pp", "mesh_dp", "mesh_tp"; Megatron's "PIPELINE_MODEL_PARALLEL_GROUP",
//     "DATA_PARALLEL_GROUP", "TENSOR_MODEL_PARALLEL_GROUP");
//   - unnamed groups, by what runs on them: the family of groups whose
//     sends and receives make whole pipelines is pp, the rest dp;
//   - no groups at all: one pipeline of every rank, else Megatron's and
//     torchtitan's rank order (pp outermost, then dp, tp innermost).
// Each candidate is checked by the caller (its ranks' passes must read as
// the same whole schedule on every pipeline), so a guess that does not fit
// is never taken.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipescope/measured/kineto_trace.hpp"

namespace pipescope {

struct TraceMesh {
  int world = 0, pp = 0, dp = 1, tp = 1;
  // Each pipeline's global ranks, in stage-rank order; pipelines ordered by
  // (replica, tp_rank). A rank is in exactly one.
  std::vector<std::vector<int>> pipelines;
  std::vector<int> replica_of, tp_rank_of;  // by pipeline
  std::string how;  // how it was read, for the notes: "pg_config's mesh_pp and mesh_dp groups"
};

// The dimension a group's name says, "" when it says none: "pp", "dp", "tp",
// "cp", "ep", or "other" for a group that is none of them (Megatron's
// embedding group, a model-parallel group).
std::string group_dimension(const ProcessGroup& group);

// Whether `pipelines` (each a list of global ranks in stage order) read as
// the same whole schedule: the caller's check, "" when they do, else why not.
using PipelinesCheck = std::function<std::string(const std::vector<std::vector<int>>&)>;

// Whether the ranks at the same place in each of `pipelines` ran their
// all-reduces together (each one's k-th overlapping in time), as data-
// parallel replicas do: what tells replicas apart from stages when the
// traces name no groups (GPipe's labels carry no stage).
using ReplicasCheck = std::function<bool(const std::vector<std::vector<int>>&)>;

// groups_by_rank[r]: rank r's pg_config. Throws MeasuredRunError (naming
// the groups found) when no reading of them passes `check`. `replicas`:
// given when the ranks all-reduced; without groups, a rank order whose
// replicas pass it is preferred to one pipeline of every rank.
TraceMesh read_trace_mesh(int world, const std::vector<std::vector<ProcessGroup>>& groups_by_rank,
                          const PipelinesCheck& check, const ReplicasCheck& replicas = nullptr);

}  // namespace pipescope
