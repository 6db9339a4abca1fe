#pragma once
// The notebook's parameters, under its names and defaults, and the rules a
// parameter set must satisfy before anything is built from it.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/schedule/schedule_file.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

struct MeasuredRun;  // measured/measured_run.hpp

// Activation recomputation (Korthikanti et al. 2022): none keeps every
// activation; selective re-runs the attention core in the backward and keeps
// none of its s x s tensors; full keeps each layer's input only and re-runs
// the layer's forward inside its backward.
enum class Recompute : std::int64_t { None, Selective, Full };
// gelu: two matrices of width d_hidden; swiglu: three (gate, up, down).
enum class Mlp : std::int64_t { Gelu, Swiglu };
// flash: the s x s scores are never stored (FlashAttention); stored: they
// are (Korthikanti's 5as/h term).
enum class Attention : std::int64_t { Flash, Stored };

// What the costs and memory come from.
enum class CostModel : std::uint8_t {
  Notebook,     // the notebook's MLP: sizes are drawing units, time is animation frames
  Transformer,  // a GPT-style model on real hardware: time in microseconds, memory in bytes
};
std::string_view model_name(CostModel m);
std::optional<CostModel> model_from_name(std::string_view name);

struct Params {
  std::int64_t d_model = 8;
  // The notebook sets d_hidden = 2 * d_model; unset means "follow d_model".
  std::optional<std::int64_t> d_hidden;
  std::int64_t B = 48;
  std::int64_t L = 6;
  std::int64_t dp = 2;
  std::int64_t pp = 3;
  std::int64_t microbatches = 12;
  std::int64_t dp_gpu_delta = 16;
  std::int64_t pp_gpu_delta = 12;
  std::int64_t pp_comm_steps = 2;
  std::int64_t dp_comm_steps = 2;
  // Beyond the notebook: which schedule runs, and its op costs.
  ScheduleKind schedule = ScheduleKind::Notebook;
  // Stages per rank; unset means the schedule's default (2 for interleaved
  // and V schedules, else 1).
  std::optional<std::int64_t> chunks;
  std::int64_t cost_f = 1, cost_i = 1, cost_w = 1;  // frames per matmul
  // A schedule read from a file (--schedule-file): it replaces `schedule`,
  // and pp, microbatches and chunks must be the file's. Shared: a file's
  // program is never changed once read.
  std::shared_ptr<const ScheduleFile> schedule_file;
  // A measured step (--measured): its order is schedule_file, its median
  // costs time_f/i/w; the views put the step as it ran beside that ideal.
  std::shared_ptr<const MeasuredRun> measured;

  // Real units (cost_model.hpp). The transformer's shape: d_model is its
  // hidden size h, d_hidden its FFN width (4h unless given), B the global
  // batch in sequences.
  CostModel model = CostModel::Notebook;
  std::optional<std::int64_t> heads;  // attention heads; unset: d_model / 128, at least 1
  std::int64_t seq_len = 4096;
  std::int64_t vocab = 0;             // 0: no embedding or head
  std::int64_t dtype_bytes = 2;       // bytes per weight, activation or gradient element
  // The hardware: an NVIDIA H100 SXM (bf16 dense peak, 80 GB HBM3, NVLink 4
  // between the pipeline's GPUs, 400 Gb/s InfiniBand between replicas).
  double gpu_tflops = 989;
  double mfu = 0.4;                   // the share of peak achieved
  // GB/s of a pipeline send and of the gradient all-reduce (0: free);
  // unset: from the cluster, by where the two GPUs or the group sit.
  std::optional<double> p2p_gbps;
  double p2p_latency_us = 5;          // a send's, and each step of a collective's ring
  std::optional<double> dp_gbps;
  // A stage's measured gradient all-reduce (us), as time_f: set from a
  // measured run's collectives, it replaces the model's exchange time.
  std::optional<double> time_allreduce;
  double gpu_memory_gib = 80;
  // The cluster (mesh.hpp places the GPUs): GB/s for one GPU between GPUs
  // of a node (NVLink 4) and between nodes (its 400 Gb/s InfiniBand NIC).
  std::int64_t gpus_per_node = 8;
  double intra_node_gbps = 450;
  double inter_node_gbps = 50;
  double gpu_memory_gbps = 3350;  // HBM bandwidth: the optimizer step and attention scores are bound by it
  // A fitted efficiency model (pipescope calibrate; cost_model.hpp says how
  // each enters). Their defaults leave it out: every matmul at mfu, links
  // at their bandwidth, no fixed costs.
  double matmul_knee_gflop = 0;
  double attention_score_bytes = 0;
  double collective_efficiency = 1;
  double layer_floor_us = 0;
  double pass_overhead_us = 0;
  double step_overhead_ms = 0;

  // Parallelism beyond the notebook's dp and pp (Megatron's), and what each
  // GPU keeps. GPUs = dp x pp x tp x cp.
  std::int64_t tp = 1;              // tensor-parallel GPUs a stage is cut over
  std::int64_t cp = 1;              // context-parallel GPUs its sequence is cut over (ring attention)
  std::int64_t sp = 0;              // 1: sequence parallel beside tp
  std::int64_t zero = 0;            // ZeRO stage: 1 shards the optimizer (Megatron's distributed optimizer), 2 also
                                    // the gradients, 3 also the weights (FSDP)
  std::optional<std::int64_t> grad_bytes;  // bytes a gradient element (Megatron's fp32 main gradients: 4); unset: dtype_bytes
  std::int64_t recompute = 0;       // a Recompute
  double overhead_gib = 0;          // a GPU's memory the framework takes (CUDA context, NCCL buffers, fragmentation)
  // The transformer as people write it.
  std::optional<std::int64_t> kv_heads;  // grouped-query attention; unset: heads
  std::int64_t mlp = 0;                  // an Mlp
  std::int64_t attention = 0;            // an Attention
  // Mixture of experts: `experts` routed experts (0: a dense MLP) of width
  // expert_d_hidden (unset: d_hidden), each token sent to top_k of them and
  // to every one of `shared_experts`; the first dense_layers layers dense.
  // ep GPUs split the experts (carved from dp x cp, as Megatron places it).
  std::int64_t experts = 0;
  std::int64_t top_k = 2;
  std::optional<std::int64_t> expert_d_hidden;
  std::int64_t shared_experts = 0;
  std::int64_t dense_layers = 0;
  std::int64_t ep = 1;
  // Measured costs in microseconds, one value or one per stage; they
  // override the model's (empty: from the model).
  std::vector<double> time_f, time_i, time_w;
  // Training time one animation frame shows, in microseconds (0: the whole
  // step in about kAutoFrames frames). Only for real time.
  double frame_us = 0;
  // --schedule auto's search stops after this many seconds with the best
  // order found so far (it always finds one first, however long that takes).
  double auto_seconds = 5;

  // Time is real (ns in the simulation, us in every view) for a transformer
  // or measured costs; the notebook's MLP alone keeps animation frames.
  bool real_time() const {
    return model == CostModel::Transformer || !time_f.empty() || !time_i.empty() || !time_w.empty();
  }
  Recompute recompute_kind() const { return static_cast<Recompute>(recompute); }
  Mlp mlp_kind() const { return static_cast<Mlp>(mlp); }
  Attention attention_kind() const { return static_cast<Attention>(attention); }
  std::int64_t effective_kv_heads() const { return kv_heads.value_or(effective_heads()); }
  std::int64_t effective_grad_bytes() const { return grad_bytes.value_or(dtype_bytes); }
  std::int64_t effective_expert_d_hidden() const { return expert_d_hidden.value_or(hidden()); }
  // Every GPU of the run: dp replicas of a pp x tp pipeline.
  double gpus() const {
    return static_cast<double>(dp) * static_cast<double>(pp) * static_cast<double>(tp) * static_cast<double>(cp);
  }
  std::int64_t effective_heads() const {
    return heads.value_or(std::max<std::int64_t>(1, d_model / 128));
  }

  // The seed notebook's own schedule (its generators, its exact dump).
  bool is_notebook() const { return !schedule_file && schedule == ScheduleKind::Notebook; }
  // "1f1b", or a schedule file's name.
  std::string schedule_name() const {
    return schedule_file ? schedule_file->name : std::string(schedule_info(schedule).name);
  }

  // Saturates rather than overflows: validate() refuses such sizes anyway.
  // The notebook's MLP is 2 x d_model wide, a transformer's FFN 4 x.
  std::int64_t hidden() const {
    const std::int64_t k = model == CostModel::Transformer ? 4 : 2;
    return d_hidden.value_or(d_model > INT64_MAX / k ? INT64_MAX : k * d_model);
  }
  std::int64_t stages_per_rank() const {
    if (schedule_file) return schedule_file->program.stages_per_rank();
    return chunks.value_or(schedule_info(schedule).default_chunks);
  }
  std::int64_t stages() const { return pp * stages_per_rank(); }
  std::int64_t layers_per_stage() const { return L / stages(); }
  // Which rank (GPU) of a replica holds a pipeline stage.
  std::int64_t rank_of_stage(std::int64_t stage) const {
    if (schedule_file) return schedule_file->program.rank_of(static_cast<int>(stage));
    if (schedule_placement(schedule, stages_per_rank()) == Placement::V && stage >= pp) return 2 * pp - 1 - stage;
    return stage % pp;
  }

  bool operator==(const Params&) const = default;
};

// The sizes the scene draws. The notebook's are its parameters; a real
// model's are scaled down together (a 4096-wide layer cannot be drawn 4096
// units long) so its cuboids keep their proportions at a drawable size.
struct DrawnSizes {
  std::int64_t d_model, d_hidden;
  double rows;  // one replica's batch along y (the notebook's B / dp)
};
DrawnSizes drawn_sizes(const Params& p);

// Frames a real-time step is shown in when frame_us is 0.
inline constexpr double kAutoFrames = 480;

// Hard limits that keep a typo from turning into an out-of-memory.
inline constexpr double kMaxObjects = 2'000'000;
inline constexpr double kMaxFrames = 1'000'000;

struct ParamError {
  std::string field;    // the notebook's name of the offending parameter
  std::string message;  // names the value and the rule it breaks
  // The value is a schedule file's (pp, microbatches), not a flag the user
  // gave: the message names the file, and so should whoever prints it.
  bool from_schedule_file = false;
};

// What the parameters are checked for. A scene draws every object and
// animates every frame, so it has caps (kMaxObjects, kMaxFrames, exact
// coordinates); figures (stats, schedules, the planner) only simulate, and
// a 1,024-GPU layout a scene cannot draw still has a step time.
enum class ValidationScope : std::uint8_t { Scene, Figures };

// Every rule the parameters break, in a fixed order; empty when valid.
std::vector<ParamError> validate(const Params& p, ValidationScope scope = ValidationScope::Scene);

// Counts computed in floating point so that absurd inputs cannot overflow.
double estimated_object_count(const Params& p);
// The notebook schedule's frames in closed form; other schedules' come from
// their simulation (frame_count).
double estimated_frame_count(const Params& p);
// Frames of the animation these (valid, under the object cap) parameters give.
double frame_count(const Params& p);

// Thrown by builders handed parameters that fail validate().
struct InvalidParams : std::runtime_error {
  explicit InvalidParams(std::vector<ParamError> errors);
  std::vector<ParamError> errors;
};

}  // namespace pipescope
