// Real GPU traces that are not pipeline runs (tests/data/gpu-traces, from
// Meta's Holistic Trace Analysis): pipescope refuses them saying what each
// run is. The expected counts and shares were counted independently with
// Python's json module over each whole file (kernels named nccl/rccl:
// communication; gpu_memcpy, gpu_memset and Memcpy/Memset kernels: memory;
// other kernels: compute), and the collectives match the files' own
// record_param_comms args (15 allreduce, 6 broadcast in the NCCL one).

#include <gtest/gtest.h>

#include "pipescope/measured/kineto_trace.hpp"
#include "pipescope/measured/measured_run.hpp"
#include "pipescope/measured/trace_summary.hpp"

namespace {

using namespace pipescope;

const std::string kDir = std::string(PIPESCOPE_TEST_DATA) + "/gpu-traces/";

std::string refusal(const std::string& file) {
  try {
    load_measured_run({kDir + file});
  } catch (const MeasuredRunError& e) {
    return e.what();
  }
  return "";
}

TEST(GpuTraces, ADataParallelRunSaysSo) {
  const TraceSummary s = summarize_trace(read_kineto_trace(kDir + "nccl_parser_config_nccl_data.json.gz"));
  EXPECT_EQ(s.rank, 0);
  EXPECT_EQ(s.world_size, 2);
  EXPECT_EQ(s.collectives.at("all-reduce"), 15);
  EXPECT_EQ(s.collectives.at("broadcast"), 6);
  EXPECT_EQ(s.kernels, 2700);
  const double gpu = s.compute_ns + s.communication_ns + s.memory_ns;
  EXPECT_NEAR(100 * s.compute_ns / gpu, 70.02, 0.01);
  EXPECT_NEAR(100 * s.communication_ns / gpu, 28.38, 0.01);
  EXPECT_NEAR(100 * s.memory_ns / gpu, 1.61, 0.01);
  const std::string why = refusal("nccl_parser_config_nccl_data.json.gz");
  EXPECT_NE(why.find("missing: rank 1. Not a pipeline run: rank 0 of 2 (nccl), data parallel: 15 all-reduces, "
                     "6 broadcasts; no pipeline stages; GPU time (2700 kernels): compute 70 %, communication 28 %, "
                     "memory 2 %"),
            std::string::npos)
      << why;
}

TEST(GpuTraces, ShardedAndAllToAllRunsSaySo) {
  // Epoch-microsecond timestamps (1.68e15): read, not dropped as impossible times.
  const TraceSummary s = summarize_trace(read_kineto_trace(kDir + "negative_queue_length_values_check_rank0.json.gz"));
  EXPECT_EQ(s.kernels, 6080);
  EXPECT_EQ(s.collectives.at("all-to-all"), 55);
  EXPECT_EQ(s.collectives.at("reduce-scatter"), 10);
  const double gpu = s.compute_ns + s.communication_ns + s.memory_ns;
  EXPECT_NEAR(100 * s.communication_ns / gpu, 42.32, 0.01);
  EXPECT_EQ(s.kind(), "all-to-all (embedding or expert) and sharded data (FSDP or ZeRO) parallel");
  const std::string recommender = refusal("trace_filter_sampled_rank-0.json.gz");
  EXPECT_NE(recommender.find("rank 0 of 128 (nccl), all-to-all (embedding or expert) and data parallel"),
            std::string::npos)
      << recommender;
}

TEST(GpuTraces, AnAmdStepWithoutDistributedInfoSaysWhatItHolds) {
  const std::string why = refusal("amd_trace_mi250_minitoy_train_ROCm6_2_kineto.json.gz");
  EXPECT_NE(why.find("has no distributedInfo"), std::string::npos) << why;
  EXPECT_NE(why.find("it holds one process, no collectives; no pipeline stages; GPU time (14 kernels): compute 74 %, "
                     "communication 0 %, memory 26 %"),
            std::string::npos)
      << why;
}

}  // namespace
