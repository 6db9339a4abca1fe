#pragma once
// Every object the notebook's Pipeline constructor makes, with a stable
// index, id and box in the notebook's world coordinates:
//   x  layer axis (d_hidden per layer, pp_gpu_delta between stages; with v
//      stages per rank there are pp x v stages, in model order)
//   y  batch axis (B/dp per replica, dp_gpu_delta between replicas)
//   z  d_model axis (residual faces alternate [-d_model,0] and [0,d_model])
// A real model's stages are folded (folds_stages): each stage its own floor,
// 3 d_model below the one before, running alternately along +x and -x from
// x = 0, a send the connector at the turn. A real model's layer row would
// otherwise be tens of layers long and a sliver along one diagonal.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipescope/model/params.hpp"
#include "pipescope/model/visual_state.hpp"

namespace pipescope {

using ObjectIndex = std::uint32_t;

enum class ObjectKind : std::uint8_t {
  Weight1,      // W1/r/l      face, weights1
  Weight2,      // W2/r/l      face, weights2
  Hidden,       // h/r/l/m     face, hidden_activations
  Residual,     // x/r/l/m     face, residual_activations
  StageInput,   // xin/r/s/m   face, terminal_residual_activations
  Flop1,        // F1/r/l/m    cuboid, flops1m
  Flop2,        // F2/r/l/m    cuboid, flops2m
  PipeSend,     // P2P/r/s/m   cuboid, pp_comms (stage s to s+1)
  AllReduce1,   // AR1/r/l     cuboid, w1_dp_comms (replica r with r+1)
  AllReduce2,   // AR2/r/l     cuboid, w2_dp_comms
  // With tensor parallelism only (tp > 1), beyond the notebook: the tp
  // group's all-reduces (Megatron's g and f operators).
  TensorReduce,    // TP/r/l/m    cuboid: layer l's output summed after its
                   //             row-parallel matmul (forward), and its
                   //             gradient after layer l + 1's column-parallel one
  TensorReduceIn,  // TPin/r/s/m  cuboid: stage s's input gradient summed (backward)
  // In the layer view only (layer_view.hpp).
  ContextRing,     // CP/ring     cuboid: keys and values passed round the cp ring
  ExpertAllToAll,  // EP/...      cuboid: tokens dispatched to their experts, or combined
};

constexpr bool is_face(ObjectKind k) { return k <= ObjectKind::StageInput; }
constexpr bool is_communication(ObjectKind k) { return k >= ObjectKind::PipeSend; }
// Objects of a stage (`layer` holds the stage), not of a layer.
constexpr bool is_per_stage(ObjectKind k) {
  return k == ObjectKind::StageInput || k == ObjectKind::PipeSend || k == ObjectKind::TensorReduceIn;
}
// Objects of a layer, not of one microbatch: the weights and their exchanges.
constexpr bool is_per_layer(ObjectKind k) {
  return k == ObjectKind::Weight1 || k == ObjectKind::Weight2 || k == ObjectKind::AllReduce1 ||
         k == ObjectKind::AllReduce2;
}

struct Box {
  std::array<double, 3> lo{};
  std::array<double, 3> hi{};
};

struct SceneObject {
  Box box;
  ObjectKind kind;
  std::uint32_t replica;
  std::uint32_t layer;       // the stage for StageInput and PipeSend
  std::uint32_t microbatch;  // 0 for per-layer objects
};

// Whether a scene of these parameters is drawn one floor per stage: real
// models (a transformer, or measured times) with more than one stage whose
// row of layers is over 32 d_model long (a 6.7B model's 32 layers: 128).
// The notebook's model keeps its one row, as the notebook draws it.
bool folds_stages(const Params& p);

struct LayerView;
struct LayerViewTag {};
inline constexpr LayerViewTag kLayerView{};

class Layout {
 public:
  // Throws InvalidParams when validate(params) is not empty.
  explicit Layout(const Params& params);
  // The layer view of these parameters (layer_view.hpp) instead of the
  // pipeline: one layer of one microbatch. The per-layer lookups below are
  // then empty; layer_view() says what each object is.
  Layout(const Params& params, LayerViewTag);
  ~Layout();
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

  const LayerView* layer_view() const { return layer_view_.get(); }

  const Params& params() const { return params_; }
  const std::vector<SceneObject>& objects() const { return objects_; }
  std::size_t size() const { return objects_.size(); }
  const SceneObject& operator[](ObjectIndex i) const { return objects_[i]; }

  // Lookups by the notebook's indices.
  ObjectIndex weight1(int r, int l) const { return per_layer(weights1_, r, l); }
  ObjectIndex weight2(int r, int l) const { return per_layer(weights2_, r, l); }
  ObjectIndex hidden(int r, int l, int m) const { return per_mb(hidden_, r, l, m); }
  ObjectIndex residual(int r, int l, int m) const { return per_mb(residual_, r, l, m); }
  ObjectIndex flop1(int r, int l, int m) const { return per_mb(flop1_, r, l, m); }
  ObjectIndex flop2(int r, int l, int m) const { return per_mb(flop2_, r, l, m); }
  ObjectIndex stage_input(int r, int s, int m) const { return per_stage_mb(stage_input_, r, s, m); }
  ObjectIndex pipe_send(int r, int s, int m) const { return per_stage_mb(pipe_send_, r, s, m); }
  // Exchanges exist only for replicas r < dp - 1.
  ObjectIndex all_reduce1(int r, int l) const { return per_layer(all_reduce1_, r, l); }
  ObjectIndex all_reduce2(int r, int l) const { return per_layer(all_reduce2_, r, l); }
  // Only with tp > 1 (has_tensor_reduces()).
  bool has_tensor_reduces() const { return !tensor_reduce_.empty(); }
  ObjectIndex tensor_reduce(int r, int l, int m) const { return per_mb(tensor_reduce_, r, l, m); }
  ObjectIndex tensor_reduce_in(int r, int s, int m) const { return per_stage_mb(tensor_reduce_in_, r, s, m); }

  // The initial state, as the notebook draws it before the first step.
  std::vector<VisualState> initial_state() const;

  // The stable id of the oracle format, e.g. "F1/r0/l3/m7".
  std::string id(ObjectIndex i) const;
  // The notebook's mathtext label of a face, e.g. "$W_1^0$" ("" for cuboids).
  std::string notebook_label(ObjectIndex i) const;

  // World-space bounds of every object (for fitting a camera).
  Box bounds() const;

 private:
  ObjectIndex add(ObjectKind kind, int r, int layer, int m, const Box& box);
  ObjectIndex per_layer(const std::vector<ObjectIndex>& v, int r, int l) const {
    return v[static_cast<std::size_t>(r) * L_ + l];
  }
  ObjectIndex per_mb(const std::vector<ObjectIndex>& v, int r, int l, int m) const {
    return v[(static_cast<std::size_t>(r) * L_ + l) * mb_ + m];
  }
  ObjectIndex per_stage_mb(const std::vector<ObjectIndex>& v, int r, int s, int m) const {
    return v[(static_cast<std::size_t>(r) * stages_ + s) * mb_ + m];
  }
  void build_replica(int r);
  void fold_stages();

  Params params_;
  std::size_t L_, stages_, mb_;  // stages_: pp x stages per rank
  std::vector<SceneObject> objects_;
  std::vector<ObjectIndex> weights1_, weights2_, hidden_, residual_, flop1_, flop2_;
  std::vector<ObjectIndex> stage_input_, pipe_send_, all_reduce1_, all_reduce2_;
  std::vector<ObjectIndex> tensor_reduce_, tensor_reduce_in_;
  std::unique_ptr<const LayerView> layer_view_;
};


}  // namespace pipescope
