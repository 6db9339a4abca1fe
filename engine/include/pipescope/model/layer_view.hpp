#pragma once
// The layer view: one transformer layer of one microbatch at its true shapes
// (QKV projection, attention, output projection, the MLP or its experts),
// each matmul a FLOP cuboid cut as the run cuts it, with the collectives
// between them. The picture that says what tp 8 does to a matmul.
//
// Each matmul's cuboid, as the notebook draws one:
//   x  what tensor parallelism cuts: a column-parallel matmul's output
//      width (QKV, MLP up), attention's heads, a row-parallel matmul's
//      contraction (output projection, MLP down)
//   y  the microbatch's tokens (the queries for attention): what context
//      parallelism cuts; an MoE's experts stack along it, each as tall as
//      the tokens routed to it, and expert parallelism cuts that
//   z  the other side: the contraction of a column-parallel matmul, the
//      output of a row-parallel one, the keys for attention
// The matmuls follow one another along x; the weight face lies at the far
// end of y, the output face where the notebook puts it.

#include <string>
#include <vector>

#include "pipescope/model/pieces.hpp"

namespace pipescope {

struct SceneObject;

struct LayerViewOp {
  std::string name;  // "QKV projection", "attention", "expert 3", ...
  ObjectIndex matmul;
  ObjectIndex weight;  // kNoObject for attention (no weights)
  ObjectIndex input, output;  // activation faces
  // Lit around it: an all-to-all dispatch before an expert, the cp ring
  // while attention runs (forward and backward), the tp all-reduce of a
  // row-parallel output (or an all-to-all combine) after its forward; in
  // the backward, the combine's gradients before it and the tp all-reduce
  // of a column-parallel input's gradient (or the dispatch's) after it.
  std::vector<ObjectIndex> before, during, after_forward, before_backward, after_backward;
};

inline constexpr ObjectIndex kNoObject = 0xffffffffu;

struct LayerViewFace {
  std::string base, sub, sup;  // "W", "up", "3": the label W_up^3 (expert 3's)
};

struct LayerView {
  // In forward order; the ops of one step run together (the experts).
  std::vector<std::vector<LayerViewOp>> steps;
  std::vector<std::string> ids;         // per object: "F/qkv", "W/up", "TP/mid", ...
  std::vector<LayerViewFace> faces;     // per object (empty for cuboids)
  std::vector<Pieces> pieces;           // per object: how the run cuts it
};

// Appends the layer's objects to `objects` (boxes in scene units, true
// proportions) and says what they are. Expects validated parameters of a
// transformer.
LayerView build_layer_view(const Params& params, std::vector<SceneObject>& objects);

}  // namespace pipescope
