#include "pipescope/model/cost_model.hpp"

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

ModelFigures transformer_figures(const Params& p) {
  ModelFigures m;
  const double b = static_cast<double>(p.B) / static_cast<double>(p.dp) / static_cast<double>(p.microbatches);
  const double s = static_cast<double>(p.seq_len), h = static_cast<double>(p.d_model);
  const double f = static_cast<double>(p.hidden()), a = static_cast<double>(p.effective_heads());
  const double V = static_cast<double>(p.vocab), t = b * s;
  const double layers = static_cast<double>(p.layers_per_stage());
  const double scale = static_cast<double>(p.dtype_bytes) / 2;  // Korthikanti's bytes are 16-bit elements

  const double linear = 8 * t * h * h + 4 * t * h * f;
  const double layer_params = 4 * h * h + 2 * h * f + 9 * h + f;
  const double layer_acts = (18 * s * b * h + 4 * s * b * f + 5 * a * s * s * b) * scale;
  const double layer_kept = (6 * s * b * h + 2 * s * b * f) * scale;
  StageFigures plain;
  plain.f_flops = layers * (linear + 4 * t * s * h);
  plain.i_flops = layers * (linear + 8 * t * s * h);
  plain.w_flops = layers * linear;
  plain.parameters = layers * layer_params;
  plain.activation_bytes = layers * layer_acts;
  plain.kept_for_w_bytes = layers * layer_kept;
  m.stages.assign(static_cast<std::size_t>(p.stages()), plain);
  if (V > 0) {
    m.stages.front().parameters += V * h;  // the embedding: a lookup, no FLOPs worth counting
    StageFigures& last = m.stages.back();
    const double head = 2 * t * h * V;
    last.f_flops += head;
    last.i_flops += head;
    last.w_flops += head;
    last.parameters += V * h;
    last.activation_bytes += (s * b * h + s * b * V) * 2 * scale;
    last.kept_for_w_bytes += s * b * h * 2 * scale;
  }
  m.send_bytes = t * h * static_cast<double>(p.dtype_bytes);
  m.layer_gradient_bytes = layer_params * static_cast<double>(p.dtype_bytes);
  return m;
}

}  // namespace

ModelFigures model_figures(const Params& p) {
  ModelFigures m = p.model == CostModel::Transformer ? transformer_figures(p) : notebook_figures(p);
  const double microbatches = static_cast<double>(p.microbatches);
  for (const StageFigures& s : m.stages) m.flops_per_replica += microbatches * (s.f_flops + s.i_flops + s.w_flops);
  return m;
}

RealCostNanoseconds real_cost_nanoseconds(const Params& p) {
  const ModelFigures m = model_figures(p);
  RealCostNanoseconds out;
  // FLOPs / (peak x MFU), in ns: TFLOP/s x 1e12 / 1e9 = TFLOP/s x 1e3 FLOPs a ns.
  const double flops_per_ns = p.gpu_tflops * p.mfu * 1e3;
  // A measured time of stage s: one value for all, or one per stage.
  auto measured = [](const std::vector<double>& us, std::size_t s, double model_ns) {
    return us.empty() ? model_ns : 1000 * (us.size() == 1 ? us[0] : us[s]);
  };
  for (std::size_t s = 0; s < m.stages.size(); ++s) {
    const StageFigures& st = m.stages[s];
    out.per_stage.push_back({measured(p.time_f, s, st.f_flops / flops_per_ns),
                             measured(p.time_i, s, st.i_flops / flops_per_ns),
                             measured(p.time_w, s, st.w_flops / flops_per_ns)});
  }
  // GB/s is bytes a ns. A bandwidth of 0 means the link is free.
  if (p.p2p_gbps > 0 && p.pp > 1) out.send = 1000 * p.p2p_latency_us + m.send_bytes / p.p2p_gbps;
  if (p.dp_gbps > 0 && p.dp > 1) {
    // A ring all-reduce over n replicas moves 2(n-1)/n of the bytes each way;
    // the scene flashes it as two halves, one per weight.
    const double n = static_cast<double>(p.dp);
    out.exchange_flash = 2 * (n - 1) / n * m.layer_gradient_bytes / p.dp_gbps / 2;
  }
  return out;
}

std::vector<double> static_memory_bytes(const Params& p, const ModelFigures& figures) {
  std::vector<double> out(static_cast<std::size_t>(p.pp), 0.0);
  for (std::size_t s = 0; s < figures.stages.size(); ++s) {
    out[static_cast<std::size_t>(p.rank_of_stage(static_cast<std::int64_t>(s)))] +=
        figures.stages[s].parameters * kBytesPerParameter;
  }
  return out;
}

}  // namespace pipescope
