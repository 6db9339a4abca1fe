#include "pipescope/param_table.hpp"

#include <array>

namespace pipescope {

namespace {

using G = ParamGroup;

const std::array<ParamSpec, 15> kTable{{
    {"dp", "--dp", "data-parallel replicas", "", 1, G::Scene, &Params::dp},
    {"pp", "--pp", "pipeline-parallel ranks (GPUs per replica)", "", 1, G::Scene, &Params::pp},
    {"microbatches", "--microbatches", "microbatches per replica", "", 1, G::Scene, &Params::microbatches},
    {"L", "--layers", "number of layers; a multiple of pp x chunks", "", 1, G::Scene, &Params::L},
    {"B", "--batch", "global batch size, split over the dp replicas", "", 1, G::Scene, &Params::B},
    {"d_model", "--d-model", "model width: the residual faces' depth along z", "scene units", 1, G::Scene,
     &Params::d_model},
    {"d_hidden", "--d-hidden", "hidden width: each layer's length along x", "scene units", 1, G::Scene, nullptr,
     &Params::d_hidden, "2 x d_model"},
    {"dp_gpu_delta", "--dp-gap", "gap between replicas along the batch axis", "scene units", 0, G::Scene,
     &Params::dp_gpu_delta},
    {"pp_gpu_delta", "--pp-gap", "gap between pipeline stages along the layer axis", "scene units", 0, G::Scene,
     &Params::pp_gpu_delta},
    {"pp_comm_steps", "--pp-comm-steps", "flashes of each pipeline send (0: instant)", "", 0, G::Scene,
     &Params::pp_comm_steps},
    {"dp_comm_steps", "--dp-comm-steps", "flashes of each gradient exchange (0: instant)", "", 0, G::Scene,
     &Params::dp_comm_steps},
    {"chunks", "--chunks",
     "stages per rank (v): 2 or more for interleaved-1f1b, looped-bfs and interleaved-zb, exactly 2 for zb-v and "
     "dualpipe-v, 1 otherwise",
     "", 1, G::Schedule, nullptr, &Params::chunks, "the schedule's default"},
    {"cost_f", "--cost-f", "length of a forward matmul", "frames", 1, G::Schedule, &Params::cost_f},
    {"cost_i", "--cost-i", "length of a backward-through-input matmul", "frames", 1, G::Schedule, &Params::cost_i},
    {"cost_w", "--cost-w", "length of a weight-gradient matmul", "frames", 1, G::Schedule, &Params::cost_w},
}};

}  // namespace

std::int64_t ParamSpec::effective(const Params& p) const {
  if (value) return p.*value;
  if (optional == &Params::d_hidden) return p.hidden();
  return p.stages_per_rank();
}

std::optional<std::int64_t> ParamSpec::given(const Params& p) const {
  if (value) return p.*value;
  return p.*optional;
}

void ParamSpec::set(Params& p, std::optional<std::int64_t> v) const {
  if (value) {
    if (v) p.*value = *v;
  } else {
    p.*optional = v;
  }
}

std::span<const ParamSpec> param_table() { return kTable; }

const ParamSpec* param_spec(std::string_view key) {
  for (const ParamSpec& s : kTable) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace pipescope
