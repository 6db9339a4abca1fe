#pragma once
// What a profiler trace is, in one line, for when it is not (or not all of)
// a pipeline run pipescope can show: "rank 0 of 2 (nccl), data parallel: 15
// all-reduces, 6 broadcasts; no pipeline stages; GPU time: compute 80 %,
// communication 13 %, memory 7 %". Kernels are classified as Holistic Trace
// Analysis does: NCCL's (or RCCL's) are communication, copies and memsets
// memory, the rest compute. Collectives are counted from their annotations
// (nccl:all_reduce, gloo:send, ...) over the whole file.

#include <map>
#include <string>

#include "pipescope/measured/kineto_trace.hpp"

namespace pipescope {

struct TraceSummary {
  int rank = -1, world_size = -1;
  std::string backend;
  std::map<std::string, int> collectives;  // "all-reduce" -> how many
  int pipeline_labels = 0;                  // PP:..., Forward i / Backward i
  int kernels = 0;
  double compute_ns = 0, communication_ns = 0, memory_ns = 0;  // GPU time
  // "data parallel", "all-to-all (embedding or expert) and sharded data parallel", ...
  std::string kind() const;
  std::string text() const;
};

TraceSummary summarize_trace(const KinetoTrace& trace);

}  // namespace pipescope
