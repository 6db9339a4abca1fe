#pragma once
// A real step's throughput under Korthikanti's definitions: model FLOPs (no
// recomputation) and hardware FLOPs (with it) one GPU does a second, over
// its peak; tokens a second of the whole run.

#include <cstdint>

#include "pipescope/model/params.hpp"

namespace pipescope {

struct Throughput {
  double tokens_per_second = 0, tflops_per_gpu = 0, mfu = 0, hfu = 0;
};

// `makespan_ns`: one step; the FLOPs are one replica's (ModelFigures').
Throughput throughput(const Params& p, double flops_per_replica, double hardware_flops_per_replica,
                      std::int64_t makespan_ns);

}  // namespace pipescope
