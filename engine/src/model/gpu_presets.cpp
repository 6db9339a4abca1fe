#include "pipescope/model/gpu_presets.hpp"

#include <array>

namespace pipescope {

namespace {

// Peak dense bf16 without sparsity; NVLink's per-GPU total halved for one
// direction (A100 600 GB/s, H100/H200 900, B200 1,800; MI300X seven 64 GB/s
// Infinity Fabric links); NICs: HDR 200 Gb/s for A100 servers, NDR 400 Gb/s since.
constexpr std::array<GpuPreset, 6> kGpus{{
    {"a100-40gb", "NVIDIA A100 SXM 40 GB (NVLink 3, 200 Gb/s HDR a GPU)", 312, 40, 1555, 300, 25},
    {"a100-80gb", "NVIDIA A100 SXM 80 GB (NVLink 3, 200 Gb/s HDR a GPU)", 312, 80, 2039, 300, 25},
    {"h100-sxm", "NVIDIA H100 SXM 80 GB (NVLink 4, 400 Gb/s NDR a GPU)", 989, 80, 3350, 450, 50},
    {"h200", "NVIDIA H200 SXM 141 GB (NVLink 4, 400 Gb/s NDR a GPU)", 989, 141, 4800, 450, 50},
    {"b200", "NVIDIA B200 180 GB (NVLink 5, 400 Gb/s a GPU)", 2250, 180, 8000, 900, 50},
    {"mi300x", "AMD Instinct MI300X 192 GB (Infinity Fabric, 400 Gb/s a GPU)", 1307, 192, 5300, 448, 50},
}};

}  // namespace

std::span<const GpuPreset> gpu_presets() { return kGpus; }

const GpuPreset* gpu_preset(std::string_view name) {
  for (const GpuPreset& g : kGpus) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::string gpu_preset_names() {
  std::string out;
  for (std::size_t i = 0; i < kGpus.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == kGpus.size() ? " or " : ", ") + std::string(kGpus[i].name);
  }
  return out;
}

void apply_gpu_preset(Params& p, const GpuPreset& g) {
  p.gpu_tflops = g.tflops;
  p.gpu_memory_gib = g.memory_gib;
  p.gpu_memory_gbps = g.memory_gbps;
  p.intra_node_gbps = g.intra_node_gbps;
  p.inter_node_gbps = g.inter_node_gbps;
}

}  // namespace pipescope
