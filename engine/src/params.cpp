#include "pipescope/params.hpp"

#include <fmt/format.h>

namespace pipescope {

namespace {

void require_positive(std::vector<ParamError>& out, const char* name, std::int64_t v) {
  if (v < 1) out.push_back({name, fmt::format("{} is {}, but it must be at least 1", name, v)});
}

void require_non_negative(std::vector<ParamError>& out, const char* name, std::int64_t v) {
  if (v < 0) out.push_back({name, fmt::format("{} is {}, but it must be 0 or more", name, v)});
}

}  // namespace

double estimated_object_count(const Params& p) {
  const double dp = static_cast<double>(p.dp), pp = static_cast<double>(p.pp);
  const double L = static_cast<double>(p.L), mb = static_cast<double>(p.microbatches);
  // Per replica: W1+W2 per layer, h/x/F1/F2 per layer and microbatch, one
  // stage input per stage and microbatch, a send per stage boundary and
  // microbatch, and (all but the last replica) two exchanges per layer.
  const double per_replica = 2 * L + 4 * L * mb + pp * mb + (pp - 1) * mb;
  return dp * per_replica + (dp - 1) * 2 * L;
}

double estimated_frame_count(const Params& p) {
  const double pp = static_cast<double>(p.pp), mb = static_cast<double>(p.microbatches);
  const double per_stage = static_cast<double>(p.L) / pp;
  const double stage_steps = 2 * per_stage + 1;
  const double send = 2 * static_cast<double>(p.pp_comm_steps) + 2;
  const double exchange = p.dp > 1 ? per_stage * (4 * static_cast<double>(p.dp_comm_steps) + 4) : 0;
  const double forward = 2 + (mb - 1) * stage_steps + pp * stage_steps + (pp - 1) * send;
  const double backward = (mb - 1) * stage_steps + pp * stage_steps + (pp - 1) * send + 1;
  const double weights = per_stage * 2 * mb + exchange + 20;
  return forward + backward + weights;
}

std::vector<ParamError> validate(const Params& p) {
  std::vector<ParamError> out;
  require_positive(out, "d_model", p.d_model);
  require_positive(out, "d_hidden", p.hidden());
  require_positive(out, "B", p.B);
  require_positive(out, "L", p.L);
  require_positive(out, "dp", p.dp);
  require_positive(out, "pp", p.pp);
  require_positive(out, "microbatches", p.microbatches);
  require_non_negative(out, "dp_gpu_delta", p.dp_gpu_delta);
  require_non_negative(out, "pp_gpu_delta", p.pp_gpu_delta);
  require_non_negative(out, "pp_comm_steps", p.pp_comm_steps);
  require_non_negative(out, "dp_comm_steps", p.dp_comm_steps);
  if (!out.empty()) return out;  // the rules below assume positive counts

  if (p.L % p.pp != 0) {
    out.push_back({"L", fmt::format("L is {}, but it must be a multiple of pp ({}): every pipeline "
                                    "stage holds the same number of layers",
                                    p.L, p.pp)});
  }
  // Sizes are checked against their own caps so the message names the real culprit.
  const double objects = estimated_object_count(p);
  if (objects > kMaxObjects) {
    out.push_back({"microbatches",
                   fmt::format("dp {} x L {} x microbatches {} would need {:.0f} scene objects; "
                               "the limit is {:.0f}: lower dp, L or microbatches",
                               p.dp, p.L, p.microbatches, objects, kMaxObjects)});
  }
  if (out.empty()) {
    const double frames = estimated_frame_count(p);
    if (frames > kMaxFrames) {
      out.push_back({"pp_comm_steps",
                     fmt::format("these parameters would animate {:.0f} frames; the limit is "
                                 "{:.0f}: lower microbatches, L or the comm steps",
                                 frames, kMaxFrames)});
    }
  }
  return out;
}

static std::string join_messages(const std::vector<ParamError>& errors) {
  std::string s;
  for (const auto& e : errors) s += (s.empty() ? "" : "; ") + e.message;
  return s;
}

InvalidParams::InvalidParams(std::vector<ParamError> errs)
    : std::runtime_error(join_messages(errs)), errors(std::move(errs)) {}

}  // namespace pipescope
