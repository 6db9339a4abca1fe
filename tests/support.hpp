#pragma once
// What the test suites share: the binary under test, private temporary
// folders, and the parameter sets several suites build. One place, so no
// suite grows its own copy.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "pipescope/model/params.hpp"
#include "run_command.hpp"
#include "test_files.hpp"

namespace pipescope::testing {

#ifdef PIPESCOPE_EXE
// The pipescope binary the command-line tiers run.
inline const std::string kExe = PIPESCOPE_EXE;
#endif

// A folder of the test's own under TMPDIR, named by `tag`, the process and a
// counter (tests running side by side never share one), removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> count{0};
    path_ = std::filesystem::temp_directory_path() /
            ("pipescope_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(count++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A zoo schedule over the notebook's scene: pp ranks, m microbatches, one
// layer per stage unless `layers` is given.
inline Params zoo_params(ScheduleKind kind, std::int64_t pp, std::int64_t m, std::int64_t layers = 0) {
  Params p;
  p.schedule = kind;
  p.pp = pp;
  p.microbatches = m;
  p.L = layers > 0 ? layers : pp;
  return p;
}

// A small GPT-style transformer (h 1024, s 512, a 16, 4 layers on pp 2, 4
// microbatches of 2 sequences, dp 1) on 100 TFLOP/s at 50 %: figures worked
// by hand in cost_model_test.cpp and cli_test.cpp.
inline Params small_transformer() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 1024;
  p.heads = 16;
  p.seq_len = 512;
  p.L = 4;
  p.pp = 2;
  p.dp = 1;
  p.microbatches = 4;
  p.B = 8;
  p.schedule = ScheduleKind::OneFOneB;
  p.gpu_tflops = 100;
  p.mfu = 0.5;
  return p;
}

// A GPT-style transformer of hidden size h on the default H100s: one replica
// (dp 1), one sequence a microbatch.
inline Params gpt(std::int64_t h, std::int64_t heads, std::int64_t seq, std::int64_t layers, std::int64_t pp,
                  std::int64_t microbatches) {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = h;
  p.heads = heads;
  p.seq_len = seq;
  p.L = layers;
  p.pp = pp;
  p.dp = 1;
  p.microbatches = microbatches;
  p.B = microbatches;
  return p;
}

// A 6.7B-shaped GPT transformer on the default H100s (h 4096, a 32, s 2048,
// 32 layers on pp 4, 8 microbatches of 2 sequences, 1F1B): a real model's
// scene and lanes, long enough along the layers to test framing.
inline Params gpt_6_7b_on_pp4() {
  Params p;
  p.model = CostModel::Transformer;
  p.schedule = ScheduleKind::OneFOneB;
  p.d_model = 4096;
  p.heads = 32;
  p.seq_len = 2048;
  p.pp = 4;
  p.L = 32;
  p.microbatches = 8;
  p.B = 16;
  return p;
}

// A small transformer (h 1024, 16 heads, s 512, batch 8, 4 layers, 1F1B)
// on dp 2 x pp 2 x tp 2: a mesh small enough to work its GPUs by hand.
inline Params small_transformer_on_mesh(std::int64_t microbatches) {
  Params p;
  p.model = CostModel::Transformer;
  p.schedule = ScheduleKind::OneFOneB;
  p.d_model = 1024;
  p.heads = 16;
  p.seq_len = 512;
  p.B = 8;
  p.dp = 2;
  p.pp = 2;
  p.tp = 2;
  p.L = 4;
  p.microbatches = microbatches;
  return p;
}

}  // namespace pipescope::testing
