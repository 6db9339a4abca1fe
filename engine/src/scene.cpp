#include "pipescope/scene.hpp"

#include <fmt/format.h>

namespace pipescope {

Scene::Scene(const Params& params, const Schedule& schedule)
    : layout_(std::make_unique<Layout>(params)),
      timeline_(std::make_unique<Timeline>(*layout_, schedule)),
      playhead_(std::make_unique<Playhead>(*timeline_)) {}

Scene::Scene(const Params& params)
    : Scene(params, *(params.schedule == ScheduleKind::Notebook ? make_notebook_schedule()
                                                                : make_program_schedule())) {}

std::string params_json(const Params& p) {
  // Keys sorted as Python's json.dumps(sort_keys=True) writes them. The
  // notebook's own schedule writes exactly the notebook's keys, so its dump
  // stays byte for byte the notebook's recording.
  const bool beyond_notebook =
      p.schedule != ScheduleKind::Notebook || p.cost_f != 1 || p.cost_i != 1 || p.cost_w != 1;
  std::string schedule_keys;
  if (beyond_notebook) {
    schedule_keys = fmt::format("\"chunks\": {}, \"cost_f\": {}, \"cost_i\": {}, \"cost_w\": {}, ",
                                p.stages_per_rank(), p.cost_f, p.cost_i, p.cost_w);
  }
  std::string out = fmt::format(
      "{{\"B\": {}, \"L\": {}, {}\"d_hidden\": {}, \"d_model\": {}, \"dp\": {}, \"dp_comm_steps\": {}, "
      "\"dp_gpu_delta\": {}, \"microbatches\": {}, \"pp\": {}, \"pp_comm_steps\": {}, \"pp_gpu_delta\": {}",
      p.B, p.L, schedule_keys, p.hidden(), p.d_model, p.dp, p.dp_comm_steps, p.dp_gpu_delta, p.microbatches, p.pp,
      p.pp_comm_steps, p.pp_gpu_delta);
  if (beyond_notebook) {
    // Which rank (GPU) of a replica holds each stage, stage by stage.
    out += fmt::format(", \"schedule\": \"{}\", \"stage_ranks\": [", schedule_info(p.schedule).name);
    for (std::int64_t s = 0; s < p.stages(); ++s) out += fmt::format("{}{}", s == 0 ? "" : ", ", p.rank_of_stage(s));
    out += "]";
  }
  return out + "}";
}

}  // namespace pipescope
