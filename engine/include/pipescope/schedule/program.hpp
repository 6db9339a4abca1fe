#pragma once
// A pipeline schedule as data: for each pipeline rank (GPU) of a replica, the
// ordered program of compute actions it runs, in PyTorch's notation
// (torch.distributed.pipelining's schedule IR): `0F3` forward of stage 0 on
// microbatch 3, `1I3` backward through the input, `1W3` weight gradient,
// `2B0` both backwards fused, `(0F7;7B3)OVERLAP_F_B` a forward and a full
// backward overlapped (DualPipeV). Stage indices are global: with v stages per
// rank there are p*v stages. Sends and data-parallel exchanges are not listed:
// they follow from the actions and which rank holds which stage.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipescope {

enum class Op : std::uint8_t {
  F,        // forward
  I,        // backward through the input (activation gradient)
  W,        // backward for the weights
  B,        // I and W fused
  Overlap,  // a forward and a full backward overlapped: `first` is F, `second` is B
};

struct Step {  // one (stage, microbatch) pass
  Op op;
  std::int32_t stage;
  std::int32_t microbatch;
  bool operator==(const Step&) const = default;
};

struct Action {
  Op op;
  Step first;   // the action itself (op == first.op) unless op == Overlap
  Step second;  // only for Overlap: the backward half
  bool operator==(const Action&) const = default;

  static Action single(Op op, int stage, int microbatch) { return {op, {op, stage, microbatch}, {}}; }
  static Action overlap(int f_stage, int f_mb, int b_stage, int b_mb) {
    return {Op::Overlap, {Op::F, f_stage, f_mb}, {Op::B, b_stage, b_mb}};
  }
};

// Which rank holds a stage.
enum class Placement : std::uint8_t {
  Loop,  // stage s on rank s mod p (GPipe, 1F1B, interleaved, looped BFS)
  V,     // stages r and 2p-1-r on rank r (ZB-V, DualPipeV)
};

struct Program {
  int ranks = 1;        // p
  int stages = 1;       // p * v
  int microbatches = 1; // m
  Placement placement = Placement::Loop;
  std::vector<std::vector<Action>> per_rank;  // per_rank[r]: rank r's actions, in order

  int stages_per_rank() const { return stages / ranks; }
  int rank_of(int stage) const {
    if (placement == Placement::V && stage >= ranks) return 2 * ranks - 1 - stage;
    return stage % ranks;
  }
};

// PyTorch's letter of a pass: F, I, W or B ('?' for an overlapped pair).
char op_letter(Op op);
// "0F3", "(0F7;7B3)OVERLAP_F_B": PyTorch's spelling of one action.
std::string to_string(const Action& a);
// One row per rank, actions comma-separated (PyTorch's compute-only CSV,
// without its empty idle cells).
std::string to_csv(const Program& program);

}  // namespace pipescope
