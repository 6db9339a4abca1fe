#include "pipescope/model/param_table.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace pipescope {

namespace {

using G = ParamGroup;

constexpr std::array<std::string_view, 3> kRecomputeNames{"none", "selective", "full"};
constexpr std::array<std::string_view, 2> kMlpNames{"gelu", "swiglu"};
constexpr std::array<std::string_view, 2> kAttentionNames{"flash", "stored"};

// Sized by its entries: a fixed size would pad with empty rows.
const auto kTable = std::to_array<ParamSpec>({
    {"dp", "--dp", "data-parallel replicas", "", 1, G::Scene, &Params::dp},
    {"pp", "--pp", "pipeline-parallel ranks (GPUs per replica)", "", 1, G::Scene, &Params::pp},
    {"microbatches", "--microbatches", "microbatches per replica", "", 1, G::Scene, &Params::microbatches},
    {"L", "--layers", "number of layers; a multiple of pp x chunks", "", 1, G::Scene, &Params::L},
    {"B", "--batch", "global batch size, split over the dp replicas (sequences for a transformer)", "", 1, G::Scene,
     &Params::B},
    {"d_model", "--d-model", "model width: the residual faces' depth along z (a transformer's hidden size h)",
     "scene units", 1, G::Scene, &Params::d_model},
    {"d_hidden", "--d-hidden", "hidden width: each layer's length along x (a transformer's FFN width)",
     "scene units", 1, G::Scene, nullptr, &Params::d_hidden, "2 x d_model; 4 x for a transformer"},
    {"dp_gpu_delta", "--dp-gap", "gap between replicas along the batch axis", "scene units", 0, G::Scene,
     &Params::dp_gpu_delta},
    {"pp_gpu_delta", "--pp-gap", "gap between pipeline stages along the layer axis", "scene units", 0, G::Scene,
     &Params::pp_gpu_delta},
    {"pp_comm_steps", "--pp-comm-steps", "flashes of each pipeline send (0: instant for the notebook's model)", "",
     0, G::Scene, &Params::pp_comm_steps},
    {"dp_comm_steps", "--dp-comm-steps", "flashes of each gradient exchange (0: instant for the notebook's model)",
     "", 0, G::Scene, &Params::dp_comm_steps},
    {"chunks", "--chunks",
     "stages per rank (v): 2 or more for interleaved-1f1b, looped-bfs and interleaved-zb, exactly 2 for zb-v and "
     "dualpipe-v, 1 otherwise",
     "", 1, G::Schedule, nullptr, &Params::chunks, "the schedule's default"},
    {"cost_f", "--cost-f", "length of a forward matmul (the notebook's model)", "frames", 1, G::Schedule,
     &Params::cost_f},
    {"cost_i", "--cost-i", "length of a backward-through-input matmul (the notebook's model)", "frames", 1,
     G::Schedule, &Params::cost_i},
    {"cost_w", "--cost-w", "length of a weight-gradient matmul (the notebook's model)", "frames", 1, G::Schedule,
     &Params::cost_w},
    {.key = "auto_seconds", .flag = "--auto-seconds",
     .help = "time bound of --schedule auto's search: past it, the best order found so far (one is always found)",
     .unit = "s", .min = 0, .group = G::Schedule, .number = &Params::auto_seconds, .min_excluded = true,
     .max = 3600},
    {.key = "heads", .flag = "--heads", .help = "attention heads; d_model must be a multiple of them", .unit = "",
     .min = 1, .group = G::Model, .optional = &Params::heads, .when_unset = "d_model / 128, at least 1"},
    {.key = "seq_len", .flag = "--seq-len", .help = "sequence length s", .unit = "tokens", .min = 1,
     .group = G::Model, .value = &Params::seq_len},
    {.key = "vocab", .flag = "--vocab", .help = "vocabulary V: an embedding on the first stage, a head on the last "
                                                "(0: neither)",
     .unit = "tokens", .min = 0, .group = G::Model, .value = &Params::vocab},
    {.key = "dtype_bytes", .flag = "--dtype-bytes", .help = "bytes per weight, activation or gradient element",
     .unit = "bytes", .min = 1, .group = G::Model, .value = &Params::dtype_bytes, .max = 64},
    {.key = "kv_heads", .flag = "--kv-heads",
     .help = "key and value heads (grouped-query attention); heads must be a multiple of them", .unit = "", .min = 1,
     .group = G::Model, .optional = &Params::kv_heads, .when_unset = "heads (multi-head attention)"},
    {.key = "mlp", .flag = "--mlp",
     .help = "the MLP: gelu (two matrices of width d_hidden) or swiglu (three: gate, up and down)", .unit = "",
     .min = 0, .group = G::Model, .value = &Params::mlp, .choices = kMlpNames},
    {.key = "attention", .flag = "--attention",
     .help = "flash: the s x s attention scores are never stored (FlashAttention); stored: they are (5as/h a layer, "
             "Korthikanti's count)",
     .unit = "", .min = 0, .group = G::Model, .value = &Params::attention, .choices = kAttentionNames},
    {.key = "experts", .flag = "--experts",
     .help = "routed experts of each MoE layer (0: every layer's MLP is dense)", .unit = "", .min = 0,
     .group = G::Model, .value = &Params::experts, .max = 1e6},
    {.key = "top_k", .flag = "--top-k", .help = "routed experts each token goes to", .unit = "", .min = 1,
     .group = G::Model, .value = &Params::top_k, .max = 1e6},
    {.key = "expert_d_hidden", .flag = "--expert-d-hidden", .help = "an expert's MLP width", .unit = "", .min = 1,
     .group = G::Model, .optional = &Params::expert_d_hidden, .when_unset = "d_hidden"},
    {.key = "shared_experts", .flag = "--shared-experts",
     .help = "experts every token goes to besides its top_k (DeepSeek's shared experts)", .unit = "", .min = 0,
     .group = G::Model, .value = &Params::shared_experts, .max = 1e6},
    {.key = "dense_layers", .flag = "--dense-layers", .help = "the first layers, with a dense MLP of d_hidden",
     .unit = "", .min = 0, .group = G::Model, .value = &Params::dense_layers},
    {.key = "tp", .flag = "--tp",
     .help = "tensor-parallel GPUs each stage is cut over (Megatron: two all-reduces a layer in the forward, two in "
             "the backward); divides heads and kv_heads",
     .unit = "", .min = 1, .group = G::Parallelism, .value = &Params::tp, .max = 1024},
    {.key = "cp", .flag = "--cp",
     .help = "context-parallel GPUs each stage's sequence is cut over (keys and values passed round a ring in each "
             "attention, overlapped with it); 2 x cp divides seq_len",
     .unit = "", .min = 1, .group = G::Parallelism, .value = &Params::cp, .max = 1024},
    {.key = "ep", .flag = "--ep",
     .help = "expert-parallel GPUs the experts are split over (an all-to-all dispatch and combine a MoE layer each "
             "way); divides experts and dp x cp",
     .unit = "", .min = 1, .group = G::Parallelism, .value = &Params::ep, .max = 1e6},
    {.key = "sp", .flag = "--sp",
     .help = "1: sequence parallel beside tp (reduce-scatter and all-gather in place of the all-reduces; every "
             "activation split over tp)",
     .unit = "", .min = 0, .group = G::Parallelism, .value = &Params::sp, .max = 1},
    {.key = "zero", .flag = "--zero",
     .help = "ZeRO stage over dp: 1 shards the optimizer states (Megatron's distributed optimizer), 2 also the "
             "gradients, 3 also the weights (FSDP: all-gathered before each pass)",
     .unit = "", .min = 0, .group = G::Parallelism, .value = &Params::zero, .max = 3},
    {.key = "grad_bytes", .flag = "--grad-bytes",
     .help = "bytes a gradient element: 2 (bf16) or 4 (Megatron's fp32 main gradients)", .unit = "bytes", .min = 2,
     .group = G::Parallelism, .optional = &Params::grad_bytes, .when_unset = "dtype_bytes", .max = 4},
    {.key = "recompute", .flag = "--recompute",
     .help = "activation recomputation: none, selective (the attention core re-run in the backward) or full (each "
             "layer's forward re-run in its backward; only its input kept)",
     .unit = "", .min = 0, .group = G::Parallelism, .value = &Params::recompute, .choices = kRecomputeNames},
    {.key = "overhead_gib", .flag = "--overhead-gib",
     .help = "a GPU's memory the framework takes besides the model (CUDA context, NCCL buffers, allocator slack)",
     .unit = "GiB", .min = 0, .group = G::Parallelism, .number = &Params::overhead_gib, .max = 1e6},
    {.key = "gpu_tflops", .flag = "--gpu-tflops", .help = "a GPU's peak dense throughput (default: H100 SXM, bf16)",
     .unit = "TFLOP/s", .min = 0, .group = G::Hardware, .number = &Params::gpu_tflops, .min_excluded = true,
     .max = 1e9},
    {.key = "mfu", .flag = "--mfu", .help = "the share of peak throughput achieved", .unit = "", .min = 0,
     .group = G::Hardware, .number = &Params::mfu, .min_excluded = true, .max = 1},
    {.key = "p2p_gbps", .flag = "--p2p-gbps",
     .help = "bandwidth of a pipeline send, overriding the cluster's (0: free)", .unit = "GB/s", .min = 0,
     .group = G::Hardware, .when_unset = "from the cluster: inside a node or across nodes", .max = 1e9,
     .optional_number = &Params::p2p_gbps},
    {.key = "p2p_latency_us", .flag = "--p2p-latency-us",
     .help = "latency of a pipeline send, and of each step of a collective's ring", .unit = "us", .min = 0,
     .group = G::Hardware, .number = &Params::p2p_latency_us, .max = 1e9},
    {.key = "dp_gbps", .flag = "--dp-gbps",
     .help = "bandwidth of the gradient all-reduce between replicas, overriding the cluster's (0: free)",
     .unit = "GB/s", .min = 0, .group = G::Hardware, .when_unset = "from the cluster: inside a node or across nodes",
     .max = 1e9, .optional_number = &Params::dp_gbps},
    {.key = "gpu_memory_gib", .flag = "--gpu-memory-gib", .help = "a GPU's memory (default: H100's 80 GB)",
     .unit = "GiB", .min = 0, .group = G::Hardware, .number = &Params::gpu_memory_gib, .min_excluded = true,
     .max = 1e9},
    {.key = "time_f", .flag = "--time-f", .help = "measured forward of a stage for one microbatch: one value or "
                                                 "one per stage (1200,1200,1500); overrides the model",
     .unit = "us", .min = 0, .group = G::Hardware, .when_unset = "from the model", .per_stage = &Params::time_f,
     .min_excluded = true, .max = 3.6e9},
    {.key = "time_i", .flag = "--time-i", .help = "measured backward through the input, as --time-f", .unit = "us",
     .min = 0, .group = G::Hardware, .when_unset = "from the model", .per_stage = &Params::time_i,
     .min_excluded = true, .max = 3.6e9},
    {.key = "time_w", .flag = "--time-w", .help = "measured weight gradient, as --time-f", .unit = "us", .min = 0,
     .group = G::Hardware, .when_unset = "from the model", .per_stage = &Params::time_w, .min_excluded = true,
     .max = 3.6e9},
    {.key = "time_allreduce", .flag = "--time-allreduce",
     .help = "measured gradient all-reduce of a stage after its last backward (with dp > 1); overrides the model",
     .unit = "us", .min = 0, .group = G::Hardware, .when_unset = "from the model and cluster", .max = 3.6e9,
     .optional_number = &Params::time_allreduce},
    {.key = "frame_us", .flag = "--frame-us",
     .help = "training time one animation frame shows, for real time (0: the whole step in about 480 frames)",
     .unit = "us", .min = 0, .group = G::Hardware, .number = &Params::frame_us, .max = 1e12},
    {.key = "gpus_per_node", .flag = "--gpus-per-node",
     .help = "GPUs in a node: groups inside one talk over intra_node_gbps, across nodes over inter_node_gbps",
     .unit = "", .min = 1, .group = G::Cluster, .value = &Params::gpus_per_node, .max = 1e6},
    {.key = "intra_node_gbps", .flag = "--intra-node-gbps",
     .help = "one GPU's bandwidth to the GPUs of its node (default: NVLink 4); a value may carry its unit: 450GB/s, "
             "3600Gb/s",
     .unit = "GB/s", .min = 0, .group = G::Cluster, .number = &Params::intra_node_gbps, .min_excluded = true,
     .max = 1e9},
    {.key = "inter_node_gbps", .flag = "--inter-node-gbps",
     .help = "one GPU's bandwidth to other nodes (default: a 400 Gb/s NIC a GPU); a value may carry its unit: "
             "400Gb/s, 50GB/s",
     .unit = "GB/s", .min = 0, .group = G::Cluster, .number = &Params::inter_node_gbps, .min_excluded = true,
     .max = 1e9},
    {.key = "gpu_memory_gbps", .flag = "--gpu-memory-gbps",
     .help = "a GPU's memory bandwidth (default: H100 SXM's HBM3), for what is bound by it: the optimizer step, the "
             "attention scores' traffic",
     .unit = "GB/s", .min = 0, .group = G::Cluster, .number = &Params::gpu_memory_gbps, .min_excluded = true,
     .max = 1e9},
    {.key = "matmul_knee_gflop", .flag = "--matmul-knee-gflop",
     .help = "fitted: a layer whose forward is w GFLOP on a GPU runs at mfu x w / (w + knee) of peak: small matmuls "
             "run far below it (0: always at mfu)",
     .unit = "GFLOP", .min = 0, .group = G::Cluster, .number = &Params::matmul_knee_gflop, .max = 1e9},
    {.key = "attention_score_bytes", .flag = "--attention-score-bytes",
     .help = "fitted: memory traffic each attention score costs in a layer's forward (softmax, mask, dropout; twice "
             "in the backward), at the GPU's memory bandwidth (0: none)",
     .unit = "bytes", .min = 0, .group = G::Cluster, .number = &Params::attention_score_bytes, .max = 1e6},
    {.key = "collective_efficiency", .flag = "--collective-efficiency",
     .help = "fitted: the bandwidth a collective inside a node reaches, as a multiple of intra_node_gbps",
     .unit = "", .min = 0, .group = G::Cluster, .number = &Params::collective_efficiency, .min_excluded = true,
     .max = 100},
    {.key = "layer_floor_us", .flag = "--layer-floor-us",
     .help = "fitted: the least time a layer's forward takes, twice it its backward (the host launching kernels: "
             "a GPU's work shorter than that hides under it)",
     .unit = "us", .min = 0, .group = G::Cluster, .number = &Params::layer_floor_us, .max = 1e9},
    {.key = "pass_overhead_us", .flag = "--pass-overhead-us",
     .help = "fitted: fixed time of each forward and backward of a stage when pp > 1 (the blocking send and receive "
             "around it)",
     .unit = "us", .min = 0, .group = G::Cluster, .number = &Params::pass_overhead_us, .max = 1e9},
    {.key = "step_overhead_ms", .flag = "--step-overhead-ms",
     .help = "fitted: fixed time of every step after its last pass and its optimizer (synchronisation, logging)",
     .unit = "ms", .min = 0, .group = G::Cluster, .number = &Params::step_overhead_ms, .max = 1e6},
});

}  // namespace

std::int64_t ParamSpec::effective(const Params& p) const {
  if (value) return p.*value;
  if (optional == &Params::d_hidden) return p.hidden();
  if (optional == &Params::heads) return p.effective_heads();
  if (optional == &Params::kv_heads) return p.effective_kv_heads();
  if (optional == &Params::grad_bytes) return p.effective_grad_bytes();
  if (optional == &Params::expert_d_hidden) return p.effective_expert_d_hidden();
  return p.stages_per_rank();
}

std::optional<std::int64_t> ParamSpec::given(const Params& p) const {
  if (value) return p.*value;
  if (optional) return p.*optional;
  return std::nullopt;
}

void ParamSpec::set(Params& p, std::optional<std::int64_t> v) const {
  if (value) {
    if (v) p.*value = *v;
  } else if (optional) {
    p.*optional = v;
  }
}

std::string number_text(double v) {
  char buf[32];
  // The shortest round trip, as the session and the dump should read it back.
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::optional<std::int64_t> ParamSpec::choice_index(std::string_view name) const {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == name) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

std::string ParamSpec::choice_list() const {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string(choices[i]);
  }
  return out;
}

std::string ParamSpec::text(const Params& p) const {
  if (number) return number_text(p.*number);
  if (optional_number) return p.*optional_number ? number_text(*(p.*optional_number)) : std::string();
  if (!choices.empty()) {
    const std::int64_t i = p.*value;
    return i >= 0 && static_cast<std::size_t>(i) < choices.size() ? std::string(choices[static_cast<std::size_t>(i)])
                                                                   : std::to_string(i);
  }
  if (per_stage) {
    std::string out;
    for (double v : p.*per_stage) out += (out.empty() ? "" : ",") + number_text(v);
    return out;
  }
  const auto v = given(p);
  return v ? std::to_string(*v) : std::string();
}

std::string ParamSpec::out_of_range(double v) const {
  const bool integer = type() == ParamType::Integer;
  const std::string shown = integer ? fmt::format("{:.0f}", v) : number_text(v);
  if (!std::isfinite(v)) return fmt::format("{} is {}, but it must be a finite number", key, shown);
  const bool low = min_excluded ? v <= min : v < min;
  if (!low && v <= max) return {};
  std::string rule;
  if (integer && max == std::numeric_limits<double>::infinity()) {
    rule = min == 0 ? "0 or more" : "at least 1";
  } else if (max == std::numeric_limits<double>::infinity()) {
    rule = fmt::format("{} {}", min_excluded ? "above" : "at least", number_text(min));
  } else {
    rule = fmt::format("{} {} and at most {}", min_excluded ? "above" : "at least", number_text(min),
                       number_text(max));
  }
  return fmt::format("{} is {}, but it must be {}", key, shown, rule);
}

std::optional<std::vector<double>> parse_per_stage(std::string_view text, std::string& why) {
  std::vector<double> out;
  if (text.empty()) return out;  // from the model
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    std::string_view item = text.substr(begin, end - begin);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    double v = 0;
    const auto r = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || r.ec != std::errc() || r.ptr != item.data() + item.size() || !std::isfinite(v)) {
      why = item.empty() ? fmt::format("item {} is empty", out.size() + 1)
                         : fmt::format("'{}' is not a number", item.substr(0, 40));
      return std::nullopt;
    }
    out.push_back(v);
    if (end == text.size()) break;
    begin = end + 1;
  }
  return out;
}

std::span<const ParamSpec> param_table() { return kTable; }

const ParamSpec* param_spec(std::string_view key) {
  for (const ParamSpec& s : kTable) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace pipescope
