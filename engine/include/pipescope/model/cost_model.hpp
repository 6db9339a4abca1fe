#pragma once
// The cost and memory model: what a stage's passes cost, what they store and
// what crosses the links, for the notebook's MLP or a GPT-style transformer.
//
// The transformer's counts, a layer and a microbatch of t = b x s tokens
// (b sequences of s, hidden h, FFN width f, a heads):
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
// The notebook's MLP: two matmuls a layer of rows x d_model x d_hidden; its
// activations are its faces (per layer the hidden and residual outputs, the
// stage's input), all kept until the weight gradient, as the scene shows.

#include <cstdint>
#include <vector>

#include "pipescope/model/params.hpp"

namespace pipescope {

struct StageFigures {
  double f_flops = 0, i_flops = 0, w_flops = 0;  // one microbatch's passes
  double parameters = 0;                          // the weights the stage holds
  double activation_bytes = 0;                    // stored by its forward of one microbatch
  double kept_for_w_bytes = 0;                    // of those, what stays after I until W
};

struct ModelFigures {
  std::vector<StageFigures> stages;  // every pipeline stage, in model order
  double send_bytes = 0;             // one microbatch's activation (or gradient) between stages
  double layer_gradient_bytes = 0;   // one layer's gradients, all-reduced between replicas
  double flops_per_replica = 0;      // one step: every pass of every stage and microbatch
};

inline constexpr double kBytesPerParameter = 16;  // mixed-precision Adam

// Requires validate(p) to be empty.
ModelFigures model_figures(const Params& p);

// A real-time model's costs before rounding, in ns (floating point, so no
// size can overflow on the way): validation bounds them, the schedule's costs_for rounds them.
struct RealCostNanoseconds {
  struct Stage {
    double f = 0, i = 0, w = 0;
  };
  std::vector<Stage> per_stage;
  double send = 0;            // 0: free (or one stage)
  double exchange_flash = 0;  // 0: free (or one replica)
};
RealCostNanoseconds real_cost_nanoseconds(const Params& p);
// No real pass, send or exchange flash comes near an hour; past it a figure
// is a typo, and an int64 of ns would overflow a few passes on.
inline constexpr double kMaxPassNanoseconds = 3600e9;
// A step's passes, sends and exchanges one after another: at most 30 days.
inline constexpr double kMaxStepNanoseconds = 30 * 24 * 3600e9;

// Static memory of each rank of a replica: its stages' parameters x 16 bytes.
std::vector<double> static_memory_bytes(const Params& p, const ModelFigures& figures);

}  // namespace pipescope
