#pragma once
// A measured training step: per-rank PyTorch profiler traces of one
// torch.distributed.pipelining step, read back as pipescope's actions on one
// clock. What ran is recovered from, in order of trust:
//   - "PP:<stage><F|I|B|W><mb>" labels (newer PyTorch's runtime wraps every
//     action in one; "PP:<stage>SEND_F<mb>" and friends are its sends);
//   - "Forward i" / "Backward i" (PyTorch's GPipe);
//   - nothing (PyTorch's 1F1B): the rank's compute between its sends and
//     receives, forward where no autograd function runs, matched against the
//     zoo's programs for the same pp and microbatches.
// On GPUs an action's time is its kernels' (the labels on the GPU timeline,
// or the kernels its launches correlate with), not the CPU's launch spans.
// Clocks: baseTimeNanoseconds puts each file on its host's clock; where
// hosts disagree, ranks are shifted (the least shift) so that no receive ends
// before its send starts and no action starts before its input was made.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipescope/measured/kineto_trace.hpp"
#include "pipescope/schedule/program.hpp"

namespace pipescope {

struct MeasuredAction {
  Action action;
  std::int64_t start = 0, end = 0;  // ns from the step's start (the first action anywhere)
  std::int64_t busy = 0;            // compute inside [start, end): its kernels' union on a GPU
};

struct MeasuredComm {
  std::int64_t start = 0, end = 0;  // ns, as actions
  bool send = false;                // a send, else a receive
};

// A collective on one rank (the data-parallel gradient all-reduce, a
// broadcast): gloo's or NCCL's annotation of it, or NCCL's kernel on a GPU.
struct MeasuredCollective {
  std::int64_t start = 0, end = 0;  // ns, as actions
  std::string name;                 // "all_reduce", "broadcast", "all_gather", ...
};

// Time a rank's own operators took in the step: CPU operators' self time
// (less what ran nested in them), or compute kernels' on a GPU.
struct OperatorTime {
  std::string name;
  std::int64_t ns = 0;
  std::int32_t calls = 0;
};

struct MeasuredRank {
  int rank = 0;      // the global rank (distributedInfo's rank)
  int replica = 0;   // which data-parallel replica's pipeline it is in
  int pp_rank = 0;   // its place in that pipeline
  int tp_rank = 0;   // its place in its tensor-parallel group (0 without one)
  std::string file;
  std::vector<MeasuredAction> actions;  // in the order they ran
  std::vector<MeasuredComm> comms;      // sends and receives, by start
  std::vector<MeasuredCollective> collectives;  // all-reduces and other collectives, by start
  std::vector<OperatorTime> operators;  // inside its passes, the longest first
  std::int64_t clock_shift = 0;         // ns added to the file's clock to align it
  // How far clock_shift may be from the truth (ns) against the rank it was
  // placed by: half the window their messages both ways leave (0: not moved,
  // or moved by the least shift that makes it causal, one-sided).
  std::int64_t clock_residue = 0;
  std::int64_t busy = 0;                // the union of its compute, ns
};

// Where the actions were read from.
enum class MeasuredLabels : std::uint8_t { Pipelining, GPipe, Inferred };
// "PP: labels", "GPipe's Forward/Backward labels", "no labels".
const char* labels_name(MeasuredLabels labels);

struct MeasuredRun {
  std::string source;  // what the user named (a folder, or the first file)
  // The zoo schedule the order equals ("1f1b"), or "" when it is none of them.
  std::string matched_schedule;
  MeasuredLabels labels = MeasuredLabels::Pipelining;
  bool gpu = false;  // compute timed by kernels
  int step = 0;      // N of the ProfilerStep#N read
  Program program;   // the order that ran (every pipeline ran the same)
  // The mesh: dp replicas of a pipeline of program.ranks stages, each stage
  // rank tp GPUs. `ranks` is pipeline by pipeline (replica, then tp rank),
  // each in stage order: ranks[k * pp + p] is pipeline k's stage rank p.
  int dp = 1, tp = 1, pipelines = 1;
  std::vector<MeasuredRank> ranks;
  std::int64_t makespan = 0;       // the whole step: first action's start to the last action's or collective's end, ns
  std::vector<std::string> notes;  // what the reader assumed or corrected, for the user

  // "1f1b" or "measured order"; for titles and the schedule's name.
  std::string schedule_label() const { return matched_schedule.empty() ? "measured order" : matched_schedule; }
};

// One line naming the file (or the folder) and what is wrong with it.
struct MeasuredRunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads `paths`: one folder of per-rank traces (*.json, *.json.gz), or the
// files themselves. `step`: the ProfilerStep#N to read; unset, the last one
// every rank recorded. Throws MeasuredRunError.
std::shared_ptr<const MeasuredRun> load_measured_run(const std::vector<std::string>& paths,
                                                     std::optional<int> step = std::nullopt,
                                                     const TraceLimits& limits = {});

}  // namespace pipescope
