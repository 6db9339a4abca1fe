#include "pipescope/scene.hpp"

#include <fmt/format.h>

namespace pipescope {

Scene::Scene(const Params& params, const Schedule& schedule)
    : layout_(std::make_unique<Layout>(params)),
      timeline_(std::make_unique<Timeline>(*layout_, schedule)),
      playhead_(std::make_unique<Playhead>(*timeline_)) {}

const Schedule& Scene::default_schedule() {
  static const std::unique_ptr<Schedule> notebook = make_notebook_schedule();
  return *notebook;
}

std::string params_json(const Params& p) {
  return fmt::format(
      "{{\"B\": {}, \"L\": {}, \"d_hidden\": {}, \"d_model\": {}, \"dp\": {}, \"dp_comm_steps\": {}, "
      "\"dp_gpu_delta\": {}, \"microbatches\": {}, \"pp\": {}, \"pp_comm_steps\": {}, \"pp_gpu_delta\": {}}}",
      p.B, p.L, p.hidden(), p.d_model, p.dp, p.dp_comm_steps, p.dp_gpu_delta, p.microbatches, p.pp,
      p.pp_comm_steps, p.pp_gpu_delta);
}

}  // namespace pipescope
