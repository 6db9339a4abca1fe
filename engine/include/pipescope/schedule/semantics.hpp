#pragma once
// The schedule's semantics, written once: what each pass waits for and what
// activation memory it stores and frees. The simulator, the greedy and exact
// auto-schedule tiers, clock alignment, the measured plan and the memory
// statistics read these rules (each once wrote its own copy).
//
// Dependencies: a pass runs once its one input is made.
//   F(s, m)       after F(s-1, m): the activations (stage 0: the data, no pass);
//   I(s, m), B    after I(s+1, m): the gradient from the next stage (the last
//                 stage: after its own F(s, m), the loss);
//   W(s, m)       after I(s, m): the weight gradient needs the input gradient's.
// A fused B carries the gradient as I does: its dependents match I or B alike
// (carries_gradient), so I(s+1, m) stands for B(s+1, m) in a fused schedule.
//
// Memory: a stage's forward of one microbatch stores `activation` bytes, of
// which `kept_for_w` stay after I until W (the inputs of the linear layers).
//   F  +activation, at its start;   I  -(activation - kept_for_w), at its end;
//   W  -kept_for_w, at its end;     B  -activation, at its end.

#include <cstdint>
#include <optional>

#include "pipescope/schedule/program.hpp"

namespace pipescope {

// The pass whose output `st` reads, or nullopt for stage 0's forward.
// `stages`: the pipeline's stages (the last one's backward starts from its loss).
std::optional<Step> input_of(const Step& st, int stages);

// Whether a pass of this kind carries the activation gradient backwards.
inline bool carries_gradient(Op op) { return op == Op::I || op == Op::B; }

// Whether a pass's input comes from another stage (a send, when the two
// stages lie on different ranks), not from its own stage's earlier pass.
inline bool input_from_another_stage(const Step& st, const Step& input) { return input.stage != st.stage; }

enum class MemoryAt : std::uint8_t { Start, End };
struct MemoryDelta {
  double bytes;  // positive: stored; negative: freed
  MemoryAt at;   // when, in the pass
};
// What a pass of kind `op` changes in its rank's activation memory, for a
// stage whose forward stores `activation` bytes, `kept_for_w` of them until W.
MemoryDelta memory_delta(Op op, double activation, double kept_for_w);

}  // namespace pipescope
