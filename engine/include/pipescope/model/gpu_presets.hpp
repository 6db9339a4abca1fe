#pragma once
// GPUs people train on, by name (--gpu NAME): dense bf16 peak, memory, its
// bandwidth, and the links of a typical server of them. Vendors' data sheets;
// one GPU's share of NVLink (or Infinity Fabric) each way, and one NIC a GPU.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pipescope/model/params.hpp"

namespace pipescope {

struct GpuPreset {
  std::string_view name;         // "h100-sxm"
  std::string_view description;  // "NVIDIA H100 SXM 80 GB (NVLink 4, 400 Gb/s NDR)"
  double tflops;                 // dense bf16 peak
  double memory_gib;
  double memory_gbps;            // HBM bandwidth
  double intra_node_gbps;        // one GPU's NVLink (or Infinity Fabric) bandwidth, each way
  double inter_node_gbps;        // one GPU's NIC
};

std::span<const GpuPreset> gpu_presets();
const GpuPreset* gpu_preset(std::string_view name);
// "a100-40gb, a100-80gb, h100-sxm, h200, b200 or mi300x"
std::string gpu_preset_names();
// Sets the GPU's and its server's figures in p (not the fitted efficiency).
void apply_gpu_preset(Params& p, const GpuPreset& g);

}  // namespace pipescope
