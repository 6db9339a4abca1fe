#pragma once
// How a run cuts each scene object over its GPUs, as Megatron cuts a layer:
//   x (the layer's d_hidden): tensor parallelism. The first matmul is
//     column-parallel (its output columns cut), the second row-parallel (its
//     contraction cut, partial sums then all-reduced); both cut x, and so do
//     their weights, the hidden activation and the weights' exchanges.
//   y (the tokens of a microbatch): context parallelism cuts every
//     activation and matmul; with sequence parallelism the tp GPUs also
//     each keep a share of the residual (layer norm, dropout) activations.
// GPUs are global ranks in Megatron's order (mesh.hpp): tp innermost, so
// the piece (i, j) of an object is GPU first_gpu + i + j * y_stride.
// The notebook (tp = cp = 1) has one piece per object.

#include <cstdint>
#include <vector>

#include "pipescope/model/layout.hpp"

namespace pipescope {

struct Pieces {
  int along_x = 1;
  int along_y = 1;
  std::int64_t first_gpu = 0;  // the piece at (0, 0)
  std::int64_t y_stride = 1;   // global ranks between neighbours along y
  // Each piece is one GPU's alone. False where the piece is replicated
  // (a residual over the tp group without sp, a weight over cp, an
  // exchange or all-reduce, which belongs to a whole group).
  bool owned = true;
  // One piece, yet one GPU's among the group's (an expert under ep): drawn
  // in that GPU's colour as a cut piece would be.
  bool whole_gpu = false;
  // Whether the picture colours the pieces by GPU.
  bool tinted() const { return owned && (count() > 1 || whole_gpu); }

  int count() const { return along_x * along_y; }
  std::int64_t gpu(int i, int j) const { return first_gpu + i + static_cast<std::int64_t>(j) * y_stride; }
  // Every piece's GPU, x fastest.
  std::vector<std::int64_t> gpus() const;
};

Pieces object_pieces(const Layout& layout, ObjectIndex i);

}  // namespace pipescope
