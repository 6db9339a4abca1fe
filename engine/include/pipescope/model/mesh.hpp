#pragma once
// The mesh of GPUs a run uses, and which GPU is which. A run is dp replicas
// of a pipeline of pp stages, each stage cut over tp GPUs and its sequence
// over cp. GPUs are numbered as Megatron numbers them: tp innermost, then cp,
// then dp, then pp (its order tp-cp-ep-dp-pp, with ep = 1 here; torchtitan's
// DeviceMesh orders these the same), so a tensor-parallel group is tp
// consecutive GPUs and lands inside a node whenever tp divides the node.

#include <cstdint>
#include <string>

namespace pipescope {

struct Params;

// A GPU by its global rank (what torch.distributed calls the rank).
struct GpuId {
  std::int64_t global = 0;
  bool operator==(const GpuId&) const = default;
};

// Where a GPU sits in the mesh.
struct MeshCoord {
  std::int64_t dp = 0, pp = 0, tp = 0, cp = 0;
  bool operator==(const MeshCoord&) const = default;
};

enum class MeshDim : std::uint8_t { Tp, Cp, Dp, Pp };

struct Mesh {
  std::int64_t dp = 1, pp = 1, tp = 1;
  std::int64_t gpus_per_node = 8;
  std::int64_t cp = 1;

  std::int64_t gpus() const { return dp * pp * tp * cp; }
  std::int64_t size(MeshDim d) const {
    return d == MeshDim::Tp ? tp : d == MeshDim::Cp ? cp : d == MeshDim::Dp ? dp : pp;
  }
  // Global ranks between neighbours of a group along d.
  std::int64_t stride(MeshDim d) const {
    return d == MeshDim::Tp ? 1 : d == MeshDim::Cp ? tp : d == MeshDim::Dp ? tp * cp : tp * cp * dp;
  }
  GpuId gpu(MeshCoord c) const { return {c.tp + tp * (c.cp + cp * (c.dp + dp * c.pp))}; }
  MeshCoord coord(GpuId g) const {
    return {(g.global / (tp * cp)) % dp, g.global / (tp * cp * dp), g.global % tp, (g.global / tp) % cp};
  }
  std::int64_t node_of(GpuId g) const { return g.global / gpus_per_node; }
  // Every group along d lies inside one node (so its collectives run over
  // the node's links); false when any spans nodes. A group of one GPU talks to no one.
  bool inside_node(MeshDim d) const { return inside_node(stride(d), size(d)); }
  // The same for any group of `n` GPUs `stride` apart (the gradients' dp x
  // cp, the experts' ep carved from it).
  bool inside_node(std::int64_t group_stride, std::int64_t n) const {
    const std::int64_t span = group_stride * n;
    return n == 1 || gpus() <= gpus_per_node || (span <= gpus_per_node && gpus_per_node % span == 0);
  }
  // "dp 2 x pp 4 x tp 8 = 64 GPUs on 8 nodes of 8" (cp named when above 1)
  std::string text() const;
};

// The parameters' mesh (dp, pp, tp, cp and the cluster's node size).
Mesh mesh_of(const Params& p);

// What a pipeline rank's lane, tag or row is called: "GPU 2" (the notebook's
// name, each replica's rank 2) without tensor or context parallelism; with
// them, the GPUs of that replica's rank: "GPUs 16-23".
std::string rank_label(const Params& p, std::int64_t rank, std::int64_t replica = 0);

}  // namespace pipescope
