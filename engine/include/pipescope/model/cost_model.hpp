#pragma once
// The cost and memory model: what a stage's passes cost, what they store and
// what crosses the links, for the notebook's MLP or a GPT-style transformer.
//
// The transformer's counts, a layer and a microbatch of t = b x s tokens
// (b sequences of s, hidden h, FFN width f, a heads, k key-value heads);
// below for f = 4h, k = a, a GeLU MLP, tp 1 and no recomputation. With tp
// every GPU of a stage does a tp-th of the work and stores a tp-th of what
// lies inside the parallel regions (Korthikanti's Table 2 per row; all of
// it with sp); recomputation and FlashAttention drop what they do not keep.
// - FLOPs (Megatron's count, Narayanan et al. 2021), with f = 4h:
//     F = 24 t h^2 + 4 t s h,  I = 24 t h^2 + 8 t s h,  W = 24 t h^2
//   (attention has no weights: its backward is all input gradient). In
//   general the linear layers are 8 t h^2 + 4 t h f. The head adds 2 t h V
//   to each of F, I and W on the last stage.
// - Parameters: 4h^2 + 2hf + 9h + f (12h^2 + 13h for f = 4h); the embedding
//   and the head V h each, on the first and last stage. Stored at 16 bytes
//   a parameter (mixed-precision Adam: bf16 weights and gradients, fp32
//   master weights and two moments; ZeRO's count).
// - Activations (Korthikanti et al. 2022, no recomputation, tp 1), in bytes
//   at 2-byte elements (scaled by dtype_bytes / 2): s b h (34 + 5 a s / h)
//   for f = 4h; in general 18 s b h + 4 s b f + 5 a s^2 b. The split of the
//   backward frees them in two parts: the weight gradient needs only the
//   inputs of the four linear layers (QKV, attention output, FC1: 2 s b h
//   each; FC2: 2 s b f), so those stay until W; I frees the rest (attention
//   scores, softmax, dropout masks, GeLU and layer-norm inputs). The head
//   stores its input (kept for W) and its logits s b V (freed by I).
// Time (real_cost_nanoseconds), on one GPU of a stage, for one microbatch:
//   forward  = max(L x layer_floor, L x (matmuls + scores) + head + tp) + pass_overhead
//   backward = max(2 L x layer_floor, its own the same way) + pass_overhead (I and W share it by their work)
// where a layer's matmuls of w FLOPs forward run at peak x mfu x w / (w +
// matmul_knee) (Megatron's GEMMs reach near peak only when large), the
// scores cost attention_score_bytes each at the memory's bandwidth (once
// forward, twice backward, again when recomputed), a tensor-parallel
// all-reduce 2(n-1)/n of the activation at the group's bandwidth plus a
// latency a ring step, and the layer floor is the host launching kernels
// (a GPU busy for less waits on it). Groups inside a node run at
// intra_node_gbps x collective_efficiency; across nodes each node's GPUs of
// the group use their own NICs (min of that and inter_node_gbps x the
// group's GPUs in a node). After the last pass each replica's gradients are
// all-reduced layer by layer, then the optimizer reads and writes the model
// states once at the memory's bandwidth. These are the fitted profile's
// terms (pipescope calibrate): on 1,440 single-node Megatron steps
// (../shared/measured-step-times) such a model predicts 64- and 256-GPU
// runs to about 9 % (the closing note of issue 23 has the figures).
// The notebook's MLP: two matmuls a layer of rows x d_model x d_hidden; its
// activations are its faces (per layer the hidden and residual outputs, the
// stage's input), all kept until the weight gradient, as the scene shows.

#include <cstdint>
#include <vector>

#include "pipescope/model/mesh.hpp"
#include "pipescope/model/params.hpp"

namespace pipescope {

struct StageFigures {
  // One microbatch's passes on one GPU of the stage (a tp-th of the stage's
  // work); i_flops includes what recomputation re-runs.
  double f_flops = 0, i_flops = 0, w_flops = 0;
  double recompute_flops = 0;   // of i_flops, forward work done again (hardware, not model, FLOPs)
  double head_flops = 0;        // of each of f, i and w, the head's (on the last stage)
  double layer_f_flops = 0;     // one layer's forward on one GPU: what sets its matmuls' efficiency
  double layer_score_elements = 0;  // attention scores one layer's forward makes on one GPU
  double layer_core_flops = 0;      // of layer_f_flops, the attention core's (what hides a cp ring)
  double cp_ring_bytes = 0;         // keys and values one GPU sends round the cp ring in one layer's forward
  double layers = 0;            // transformer layers (each pays the fitted fixed cost a pass)
  double parameters = 0;        // the weights the stage holds, all its tp GPUs together
  double expert_parameters = 0; // of those, the routed experts' (split over ep)
  double all_to_all_bytes = 0;  // one GPU's tokens in one expert dispatch, all its MoE layers
  double moe_layers = 0;        // of layers, those with experts
  double activation_bytes = 0;  // stored on one GPU by its forward of one microbatch
  double kept_for_w_bytes = 0;  // of those, what stays after I until W
  // Full recomputation rebuilds one layer's activations at a time inside a
  // backward: that much more, on top of what is stored, while it runs.
  double recompute_buffer_bytes = 0;
  int tp_collectives_f = 0, tp_collectives_i = 0;  // all-reduces (or reduce-scatter + all-gather pairs) a pass
};

struct ModelFigures {
  std::vector<StageFigures> stages;  // every pipeline stage, in model order
  double send_bytes = 0;             // one microbatch's activation (or gradient) between stages, per GPU
  double layer_gradient_bytes = 0;   // one layer's gradients on one GPU, all-reduced between replicas
  double layer_weight_bytes = 0;     // one layer's weights on one GPU (what FSDP all-gathers)
  double tp_collective_bytes = 0;    // one tensor-parallel all-reduce: a microbatch's activation
  double flops_per_replica = 0;      // one step, model FLOPs: every pass of every stage and microbatch, all tp GPUs
  double hardware_flops_per_replica = 0;  // the same with recomputation
};

// Mixed-precision Adam keeps an fp32 master copy and two fp32 moments.
inline constexpr double kOptimizerBytesPerParameter = 12;

// Requires validate(p) to be empty.
ModelFigures model_figures(const Params& p);

// A real-time model's costs before rounding, in ns (floating point, so no
// size can overflow on the way): validation bounds them, the schedule's costs_for rounds them.
struct RealCostNanoseconds {
  struct Stage {
    double f = 0, i = 0, w = 0;
    double tp_f = 0, tp_i = 0;  // of f and i, exposed tensor-parallel communication
    double cp_f = 0, cp_i = 0;  // of f and i, the context-parallel ring beyond the attention it overlaps
    double ep_f = 0, ep_i = 0;  // of f and i, the experts' all-to-alls
    double fsdp_f = 0, fsdp_i = 0;  // of f and i, exposed FSDP all-gathers
    double recompute = 0;       // of i, the forward work re-run
  };
  std::vector<Stage> per_stage;
  double send = 0;            // 0: free (or one stage)
  double exchange_flash = 0;  // 0: free (or one replica)
  double step_tail = 0;       // after the last pass: the optimizer and synchronisation (fitted)
};
RealCostNanoseconds real_cost_nanoseconds(const Params& p);
// No real pass, send or exchange flash comes near an hour; past it a figure
// is a typo, and an int64 of ns would overflow a few passes on.
inline constexpr double kMaxPassNanoseconds = 3600e9;
// A step's passes, sends and exchanges one after another: at most 30 days.
inline constexpr double kMaxStepNanoseconds = 30 * 24 * 3600e9;

// What one GPU of each pipeline rank holds besides activations, in bytes.
struct ModelStateBytes {
  double parameters = 0;  // of the layers it holds, before tp, ep or ZeRO shard them
  double expert_parameters = 0;  // of those, the routed experts'
  double weights = 0, gradients = 0, optimizer = 0;  // after tp and ZeRO
  double overhead = 0;                               // the framework's (overhead_gib)
  // Activations, but held by no schedule: full recomputation's one layer
  // rebuilt inside a backward (the largest of the rank's stages').
  double recompute_buffer = 0;
  // What the GPU needs besides the activations its schedule stores.
  double total() const { return weights + gradients + optimizer + overhead + recompute_buffer; }
};
// ZeRO's count (Rajbhandari et al. 2020): dtype_bytes of weights, grad_bytes
// of gradients and 12 bytes of optimizer state a parameter, the optimizer
// sharded over dp from stage 1, gradients from 2, weights from 3.
std::vector<ModelStateBytes> model_state_bytes(const Params& p, const ModelFigures& figures);
// Their totals (recompute buffer included), per rank.
std::vector<double> static_memory_bytes(const Params& p, const ModelFigures& figures);

}  // namespace pipescope
