#include "pipescope/analysis/throughput.hpp"

namespace pipescope {

Throughput throughput(const Params& p, double flops_per_replica, double hardware_flops_per_replica,
                      std::int64_t makespan_ns) {
  if (makespan_ns <= 0) return {};
  const double seconds = static_cast<double>(makespan_ns) * 1e-9;
  const double replica_gpus = static_cast<double>(p.pp) * static_cast<double>(p.tp) * static_cast<double>(p.cp);
  const double per_gpu = flops_per_replica / replica_gpus / seconds;
  const double peak = p.gpu_tflops * 1e12;
  const double tokens = p.model == CostModel::Transformer ? static_cast<double>(p.B) * static_cast<double>(p.seq_len) : 0;
  return {tokens / seconds, per_gpu / 1e12, per_gpu / peak, hardware_flops_per_replica / replica_gpus / seconds / peak};
}

}  // namespace pipescope
