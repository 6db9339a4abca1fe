#include "pipescope/model/cost_model.hpp"

#include <algorithm>
#include <cmath>

namespace pipescope {

namespace {

ModelFigures notebook_figures(const Params& p) {
  ModelFigures m;
  const double rows = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double dm = static_cast<double>(p.d_model), dh = static_cast<double>(p.hidden());
  const double layers = static_cast<double>(p.layers_per_stage());
  const double bytes = static_cast<double>(p.dtype_bytes);
  // Two matmuls a layer, 2 FLOPs a multiply-add, the same work each way.
  const double matmuls = 2 * 2 * rows * dm * dh * layers;
  StageFigures s;
  s.f_flops = s.i_flops = s.w_flops = matmuls;
  s.parameters = 2 * dm * dh * layers;
  // Per layer its hidden and residual outputs, plus the stage's input.
  s.activation_bytes = (layers * (dh + dm) + dm) * rows * bytes;
  s.kept_for_w_bytes = s.activation_bytes;  // the scene hides them at W
  m.stages.assign(static_cast<std::size_t>(p.stages()), s);
  m.send_bytes = rows * dm * bytes;
  m.layer_gradient_bytes = 2 * dm * dh * bytes;
  return m;
}

// One layer's figures, the whole layer (all its GPUs) unless said.
struct LayerFigures {
  double linear = 0, core = 0;          // forward FLOPs: matmuls with weights, the attention core
  double dense_params = 0, expert_params = 0;
  double acts = 0, kept = 0, all = 0;   // on one GPU: stored by F, kept until W, everything (recompute buffer)
  double recompute = 0;                 // forward FLOPs recomputation re-runs
  double all_to_all_bytes = 0;          // one GPU's tokens in one expert dispatch (or combine)
};

LayerFigures layer_figures(const Params& p, bool moe) {
  LayerFigures l;
  const double b = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double s = static_cast<double>(p.seq_len), h = static_cast<double>(p.d_model);
  const double a = static_cast<double>(p.effective_heads());
  const double kv = h * static_cast<double>(p.effective_kv_heads()) / a;  // width of K (and of V)
  const double t = b * s;
  const double tp = static_cast<double>(p.tp), cp = static_cast<double>(p.cp);
  const double scale = static_cast<double>(p.dtype_bytes) / 2;  // Korthikanti's bytes are 16-bit elements
  const bool swiglu = p.mlp_kind() == Mlp::Swiglu, stored = p.attention_kind() == Attention::Stored;
  const Recompute recompute = p.recompute_kind();
  const double mlp_matrices = swiglu ? 3 : 2;
  // A dense MLP of width f once a token; a MoE layer's: top_k routed experts
  // and the shared ones, of the expert width, and the router.
  const double f = moe ? static_cast<double>(p.effective_expert_d_hidden()) : static_cast<double>(p.hidden());
  const double copies = moe ? static_cast<double>(p.top_k + p.shared_experts) : 1;
  const double E = moe ? static_cast<double>(p.experts) : 0;

  const double attention_linear = 2 * t * h * (h + 2 * kv) + 2 * t * h * h;
  l.linear = attention_linear + copies * mlp_matrices * 2 * t * h * f + 2 * t * h * E;
  l.core = 4 * t * s * h;  // Q K^T and the scores times V
  const double attention_params = h * (h + 2 * kv) + h * h + 9 * h;
  if (moe) {
    l.dense_params = attention_params + static_cast<double>(p.shared_experts) * mlp_matrices * h * f + h * E;
    l.expert_params = E * mlp_matrices * h * f;
  } else {
    l.dense_params = attention_params + mlp_matrices * h * f + f;
  }
  // Activations (bytes at 2-byte elements), Korthikanti's terms: outside
  // the tensor-parallel regions (layer-norm inputs 4sbh, the QKV and first
  // MLP inputs 2sbh each, two dropout masks sbh each) split only with sp;
  // inside them (Q, K, V, the attention output, the MLP's inner
  // activations, the scores) split over tp. A MoE layer keeps its MLP's
  // for every copy of a token, and the dispatched tokens (2sbh each).
  const double outside = 10 * s * b * h;
  const double mlp_inner = copies * (swiglu ? 6 : 4) * s * b * f + (moe ? 2 * static_cast<double>(p.top_k) * s * b * h : 0);
  const double inside_no_scores = 2 * s * b * (h + 2 * kv) + 2 * s * b * h + mlp_inner;
  const double scores = 5 * a * s * s * b;
  const double split_outside = p.sp ? tp : 1;
  const bool keep_scores = stored && recompute == Recompute::None;
  // Context parallelism splits the sequence: every term, a cp-th on each GPU.
  l.all = (outside / split_outside + (inside_no_scores + (stored ? scores : 0)) / tp) * scale / cp;
  l.acts = (outside / split_outside + (inside_no_scores + (keep_scores ? scores : 0)) / tp) * scale / cp;
  // W needs the linear layers' inputs: QKV's and the first MLP's (outside),
  // the output projection's and the last MLP's (inside, each copy's).
  l.kept = (4 * s * b * h / split_outside + (2 * s * b * h + copies * 2 * s * b * f) / tp) * scale / cp;
  if (recompute == Recompute::Full) {
    // Only each layer's input (2sbh, split with sp) stays; one layer is rebuilt at a time.
    l.acts = l.kept = 2 * s * b * h / split_outside * scale / cp;
    l.recompute = l.linear + l.core;
  } else if (recompute == Recompute::Selective) {
    l.recompute = l.core;  // the attention core's forward, again
  }
  if (moe && p.ep > 1) l.all_to_all_bytes = t / cp / tp * static_cast<double>(p.top_k) * h * static_cast<double>(p.dtype_bytes);
  return l;
}

ModelFigures transformer_figures(const Params& p) {
  ModelFigures m;
  const double b = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double s = static_cast<double>(p.seq_len), h = static_cast<double>(p.d_model);
  const double a = static_cast<double>(p.effective_heads());
  const double kv = h * static_cast<double>(p.effective_kv_heads()) / a;
  const double V = static_cast<double>(p.vocab), t = b * s;
  const std::int64_t per_stage = p.layers_per_stage();
  const double tp = static_cast<double>(p.tp), cp = static_cast<double>(p.cp), ep = static_cast<double>(p.ep);
  const double scale = static_cast<double>(p.dtype_bytes) / 2;
  const double split_outside = p.sp ? tp : 1;
  const bool full = p.recompute_kind() == Recompute::Full;
  const LayerFigures dense = layer_figures(p, false);
  const LayerFigures moe = p.experts > 0 ? layer_figures(p, true) : dense;
  const double gpu_share = tp * cp;  // one GPU's share of a stage's work

  double gradient_bytes = 0, weight_bytes = 0;  // one GPU's, all layers
  for (std::int64_t stage = 0; stage < p.stages(); ++stage) {
    // Model order: stage k holds layers k x per_stage on; the first dense_layers are dense.
    const std::int64_t first = stage * per_stage;
    const std::int64_t dense_count =
        p.experts > 0 ? std::clamp<std::int64_t>(p.dense_layers - first, 0, per_stage) : per_stage;
    StageFigures st;
    st.layers = static_cast<double>(per_stage);
    for (const auto& [l, n] : {std::pair{&dense, static_cast<double>(dense_count)},
                               std::pair{&moe, static_cast<double>(per_stage - dense_count)}}) {
      if (n == 0) continue;
      st.f_flops += n * (l->linear + l->core) / gpu_share;
      st.recompute_flops += n * l->recompute / gpu_share;
      st.i_flops += n * (l->linear + 2 * l->core + l->recompute) / gpu_share;
      st.w_flops += n * l->linear / gpu_share;
      st.parameters += n * (l->dense_params + l->expert_params);
      st.expert_parameters += n * l->expert_params;
      st.activation_bytes += n * l->acts;
      st.kept_for_w_bytes += n * l->kept;
      if (full) st.recompute_buffer_bytes = std::max(st.recompute_buffer_bytes, l->all);
      st.all_to_all_bytes += n * l->all_to_all_bytes;
      if (l->all_to_all_bytes > 0) st.moe_layers += n;
      gradient_bytes += n * (l->dense_params + l->expert_params / ep) / tp;
      weight_bytes += n * (l->dense_params + l->expert_params / ep) / tp;
    }
    // What sets the matmuls' efficiency and hides a cp ring: the stage's average layer.
    st.layer_f_flops = st.f_flops / st.layers;
    st.layer_core_flops = dense.core / gpu_share;
    st.layer_score_elements = a * s * s * b / gpu_share;
    if (p.cp > 1) {
      // Ring attention: each GPU's keys and values (its tp-th of the heads)
      // pass the other cp - 1 GPUs, one step each.
      st.cp_ring_bytes = (cp - 1) * 2 * (t / cp) * kv / tp * static_cast<double>(p.dtype_bytes);
    }
    if (p.tp > 1) {
      // Megatron's two all-reduces a layer each way (and two more in a recomputed forward).
      st.tp_collectives_f = static_cast<int>(2 * per_stage);
      st.tp_collectives_i = static_cast<int>((full ? 4 : 2) * per_stage);
    }
    m.stages.push_back(st);
  }
  if (V > 0) {
    m.stages.front().parameters += V * h;  // the embedding: a lookup, no FLOPs worth counting
    StageFigures& last = m.stages.back();
    const double head = 2 * t * h * V / gpu_share;  // vocabulary-parallel over tp
    last.head_flops = head;
    last.f_flops += head;
    last.i_flops += head;
    last.w_flops += head;
    last.parameters += V * h;
    last.activation_bytes += (s * b * h / split_outside + s * b * V / tp) * 2 * scale / cp;
    last.kept_for_w_bytes += s * b * h / split_outside * 2 * scale / cp;
  }
  const double bytes = static_cast<double>(p.dtype_bytes);
  const double layers = static_cast<double>(p.L);
  // Megatron sends a tp-th of the activation and all-gathers it after (Narayanan's scatter/gather).
  m.send_bytes = t * h * bytes / gpu_share;
  // The exchanges run layer by layer at the model's average layer (one
  // GPU's share: experts split over ep).
  m.layer_gradient_bytes = gradient_bytes / layers * static_cast<double>(p.effective_grad_bytes());
  m.layer_weight_bytes = weight_bytes / layers * bytes;
  m.tp_collective_bytes = t / cp * h * bytes;
  return m;
}

}  // namespace

ModelFigures model_figures(const Params& p) {
  ModelFigures m = p.model == CostModel::Transformer ? transformer_figures(p) : notebook_figures(p);
  const double microbatches = static_cast<double>(p.microbatches);
  const double gpus = static_cast<double>(p.tp) * static_cast<double>(p.cp);  // a stage's
  for (const StageFigures& s : m.stages) {
    const double pass = microbatches * (s.f_flops + s.i_flops + s.w_flops) * gpus;
    m.hardware_flops_per_replica += pass;
    m.flops_per_replica += pass - microbatches * s.recompute_flops * gpus;
  }
  return m;
}

namespace {

// Time of a ring collective moving `fraction` of `bytes` over n GPUs in
// `steps` latency-bound steps, at `gbps` (GB/s is bytes a ns).
double ring_ns(const Params& p, double fraction, double bytes, double n, double steps, double gbps) {
  if (n <= 1 || gbps <= 0) return 0;
  return fraction * bytes / gbps + steps * 1000 * p.p2p_latency_us;
}

// A collective's bandwidth over n GPUs `stride` apart: inside a node the
// node's links (at the fitted efficiency); across nodes each node's GPUs of
// the group drive their own NICs (NCCL runs a ring per NIC), so a group with
// g GPUs in a node gets g NICs' worth, at most the node's links.
double group_gbps(const Params& p, const Mesh& mesh, std::int64_t stride, std::int64_t n) {
  const double intra = p.intra_node_gbps * p.collective_efficiency;
  if (mesh.inside_node(stride, n)) return intra;
  const double in_a_node = static_cast<double>(std::max<std::int64_t>(1, mesh.gpus_per_node / stride));
  return std::min(intra, p.inter_node_gbps * in_a_node);
}
double group_gbps(const Params& p, const Mesh& mesh, MeshDim d) { return group_gbps(p, mesh, mesh.stride(d), mesh.size(d)); }

// The gradients' group: the replicas, and with context parallelism the cp
// GPUs that hold the same weights too (Megatron reduces over dp x cp): dp x
// cp GPUs, tp apart. The experts': ep of those (Megatron carves ep from them).
double gradient_group_gbps(const Params& p, const Mesh& mesh) { return group_gbps(p, mesh, mesh.tp, mesh.dp * mesh.cp); }
double expert_group_gbps(const Params& p, const Mesh& mesh) { return group_gbps(p, mesh, mesh.tp, p.ep); }

// A pipeline send is one GPU to one GPU: the node's link, or one NIC.
double send_gbps(const Params& p, const Mesh& mesh) {
  return mesh.inside_node(MeshDim::Pp) ? p.intra_node_gbps * p.collective_efficiency : p.inter_node_gbps;
}

}  // namespace

RealCostNanoseconds real_cost_nanoseconds(const Params& p) {
  const ModelFigures m = model_figures(p);
  const Mesh mesh = mesh_of(p);
  RealCostNanoseconds out;
  // FLOPs / (peak x MFU), in ns: TFLOP/s x 1e12 / 1e9 = TFLOP/s x 1e3 FLOPs a ns.
  const double flops_per_ns = p.gpu_tflops * p.mfu * 1e3;
  // Matmuls sized by a layer forward of w FLOPs reach mfu x w / (w + knee) of peak.
  auto matmul_ns = [&](double flops, double w) {
    const double knee = p.matmul_knee_gflop * 1e9;
    return flops / flops_per_ns * (knee > 0 && w > 0 ? (w + knee) / w : 1.0);
  };
  // A measured time of stage s: one value for all, or one per stage.
  auto measured = [](const std::vector<double>& us, std::size_t s, double model_ns) {
    return us.empty() ? model_ns : 1000 * (us.size() == 1 ? us[0] : us[s]);
  };
  const double tp = static_cast<double>(p.tp);
  const double dp = static_cast<double>(p.dp) * static_cast<double>(p.cp);  // who shares the weights
  // A ring all-reduce moves 2(n-1)/n of the bytes in 2(n-1) steps (with sp a
  // reduce-scatter and an all-gather, (n-1)/n each: the same).
  const double tp_all_reduce = ring_ns(p, 2 * (tp - 1) / tp, m.tp_collective_bytes, tp, 2 * (tp - 1),
                                       group_gbps(p, mesh, MeshDim::Tp));
  const double dp_link = p.dp_gbps.value_or(gradient_group_gbps(p, mesh));
  // A ring step of the context-parallel attention: bytes at the group's
  // bandwidth plus a latency, cp - 1 of them.
  const double cp_link = group_gbps(p, mesh, MeshDim::Cp);
  const double cp_steps = static_cast<double>(p.cp - 1);
  // An all-to-all over the ep GPUs: each keeps 1/ep of its tokens and sends
  // the rest, one step a peer.
  const double ep = static_cast<double>(p.ep), ep_link = expert_group_gbps(p, mesh);
  auto all_to_all = [&](double bytes, double layers) {
    return (ep - 1) / ep * bytes / ep_link + layers * (ep - 1) * 1000 * p.p2p_latency_us;
  };
  // FSDP all-gathers a layer's weights before each pass (prefetched: only
  // what the layer's compute does not cover is exposed).
  const double fsdp_gather = p.zero >= 3 ? ring_ns(p, (dp - 1) / dp, m.layer_weight_bytes, dp, dp - 1, dp_link) : 0;
  const double pass_overhead = p.pp > 1 ? 1000 * p.pass_overhead_us : 0;
  const double recomputed_scores = p.recompute_kind() == Recompute::None ? 0 : 1;
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const StageFigures& st = m.stages[s];
    RealCostNanoseconds::Stage c;
    const double w = st.layer_f_flops, head = st.head_flops, L = st.layers;
    const double score_ns = p.attention_score_bytes * st.layer_score_elements / p.gpu_memory_gbps;
    auto compute = [&](double flops, double scores) {
      return matmul_ns(flops - head, w) + matmul_ns(head, head) + L * scores * score_ns;
    };
    const double f_compute = compute(st.f_flops, 1), i_compute = compute(st.i_flops, 2 + recomputed_scores);
    const double w_compute = compute(st.w_flops, 0);
    c.tp_f = st.tp_collectives_f * tp_all_reduce;
    c.tp_i = st.tp_collectives_i * tp_all_reduce;
    if (st.all_to_all_bytes > 0) {
      // A dispatch and a combine each way (and again in a recomputed forward), not overlapped.
      const double one = all_to_all(st.all_to_all_bytes, st.moe_layers);
      c.ep_f = 2 * one;
      c.ep_i = (p.recompute_kind() == Recompute::Full ? 4 : 2) * one;
    }
    if (st.cp_ring_bytes > 0 && L > 0) {
      // Overlapped with the attention core it feeds: only what runs past it
      // is exposed. The backward passes keys and values and their gradients.
      const double ring = st.cp_ring_bytes / cp_link + cp_steps * 1000 * p.p2p_latency_us;
      const double core_ns = matmul_ns(st.layer_core_flops, w);
      c.cp_f = L * std::max(0.0, ring - core_ns);
      c.cp_i = L * std::max(0.0, 2 * ring - 2 * core_ns);
    }
    if (L > 0) {
      c.fsdp_f = L * std::max(0.0, fsdp_gather - f_compute / L);
      c.fsdp_i = L * std::max(0.0, fsdp_gather - i_compute / L);
    }
    c.recompute = matmul_ns(st.recompute_flops, w);
    // The host's floor and the pipeline's fixed cost a pass; a backward's
    // is shared by I and W in proportion to their work.
    const double floor_ns = 1000 * p.layer_floor_us * L;
    const double f = std::max(floor_ns, f_compute + c.tp_f + c.cp_f + c.ep_f + c.fsdp_f) + pass_overhead;
    const double i_gpu = i_compute + c.tp_i + c.cp_i + c.ep_i + c.fsdp_i;
    const double backward = std::max(2 * floor_ns, i_gpu + w_compute) + pass_overhead;
    // (An absurd size can make both infinite: then each is, for validation to refuse.)
    const double i_share = i_gpu + w_compute > 0 && std::isfinite(i_gpu + w_compute) ? i_gpu / (i_gpu + w_compute) : 0.5;
    c.f = measured(p.time_f, s, f);
    c.i = measured(p.time_i, s, backward * i_share);
    c.w = measured(p.time_w, s, backward * (1 - i_share));
    out.per_stage.push_back(c);
  }
  const double p2p = p.p2p_gbps.value_or(send_gbps(p, mesh));
  if (p2p > 0 && p.pp > 1) out.send = 1000 * p.p2p_latency_us + m.send_bytes / p2p;
  if (dp_link > 0 && p.dp > 1) {
    // A ring all-reduce over n replicas moves 2(n-1)/n of the bytes each way
    // (Megatron's distributed optimizer: a reduce-scatter and an all-gather,
    // the same; FSDP: the reduce-scatter alone); the scene flashes it as two
    // halves, one per weight. An explicit --dp-gbps keeps the plain ring.
    const double fraction = (p.zero >= 3 ? 1 : 2) * (dp - 1) / dp;
    out.exchange_flash = p.dp_gbps ? fraction * m.layer_gradient_bytes / dp_link / 2
                                   : ring_ns(p, fraction, m.layer_gradient_bytes, dp, 2 * (dp - 1), dp_link) / 2;
  }
  if (p.time_allreduce && p.dp > 1) {
    // Measured per stage: each of its layers flashes twice.
    out.exchange_flash = 1000 * *p.time_allreduce / (2 * std::max(1.0, static_cast<double>(p.layers_per_stage())));
  }
  if (p.model == CostModel::Transformer && p.time_f.empty()) {
    // The optimizer reads and writes each GPU's model states once, bound by memory.
    double states = 0;
    for (const ModelStateBytes& r : model_state_bytes(p, m)) states = std::max(states, r.total() - r.overhead - r.recompute_buffer);
    out.step_tail = states / p.gpu_memory_gbps;
  }
  out.step_tail += 1e6 * p.step_overhead_ms;
  return out;
}

std::vector<ModelStateBytes> model_state_bytes(const Params& p, const ModelFigures& figures) {
  std::vector<ModelStateBytes> out(static_cast<std::size_t>(p.pp));
  for (std::size_t s = 0; s < figures.stages.size(); ++s) {
    ModelStateBytes& r = out[static_cast<std::size_t>(p.rank_of_stage(static_cast<std::int64_t>(s)))];
    r.parameters += figures.stages[s].parameters;
    r.expert_parameters += figures.stages[s].expert_parameters;
    r.recompute_buffer = std::max(r.recompute_buffer, figures.stages[s].recompute_buffer_bytes);
  }
  // ZeRO shards over everyone holding the same weights: dp x cp.
  const double dp = static_cast<double>(p.dp) * static_cast<double>(p.cp), tp = static_cast<double>(p.tp);
  const bool transformer = p.model == CostModel::Transformer;
  const double ep = static_cast<double>(p.ep);
  for (ModelStateBytes& r : out) {
    if (!transformer) {  // the notebook's MLP (tp 1): 16 bytes a parameter, as it always was
      r.weights = 2 * r.parameters;
      r.gradients = 2 * r.parameters;
      r.optimizer = kOptimizerBytesPerParameter * r.parameters;
      continue;
    }
    // Experts split over ep, and their replicas are dp x cp / ep: ZeRO shards each over its own.
    const double dense = (r.parameters - r.expert_parameters) / tp, experts = r.expert_parameters / tp / ep;
    auto sharded = [&](double per_parameter, int from_stage) {
      return per_parameter * (p.zero >= from_stage ? dense / dp + experts / (dp / ep) : dense + experts);
    };
    r.weights = sharded(static_cast<double>(p.dtype_bytes), 3);
    r.gradients = sharded(static_cast<double>(p.effective_grad_bytes()), 2);
    r.optimizer = sharded(kOptimizerBytesPerParameter, 1);
    r.overhead = p.overhead_gib * 1024 * 1024 * 1024;
  }
  return out;
}

std::vector<double> static_memory_bytes(const Params& p, const ModelFigures& figures) {
  std::vector<double> out;
  for (const ModelStateBytes& r : model_state_bytes(p, figures)) out.push_back(r.total());
  return out;
}

}  // namespace pipescope
