#include "pipescope/animate/scene.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "pipescope/model/json_string.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

Scene::Scene(const Params& params, const Schedule& schedule)
    : layout_(std::make_unique<Layout>(params)),
      timeline_(std::make_unique<Timeline>(*layout_, schedule)),
      playhead_(std::make_unique<Playhead>(*timeline_)) {}

Scene::Scene(const Params& params, LayerViewTag)
    : layout_(std::make_unique<Layout>(params, kLayerView)),
      timeline_(std::make_unique<Timeline>(*layout_, *make_layer_view_schedule())),
      playhead_(std::make_unique<Playhead>(*timeline_)) {}

namespace {

// The notebook's own generators animate its own scene; a real model's
// notebook schedule is a program like any other.
bool notebook_generators(const Params& p) { return p.is_notebook() && !p.real_time(); }

}  // namespace

Scene::Scene(const Params& params)
    : Scene(params, *(notebook_generators(params) ? make_notebook_schedule() : make_program_schedule())) {}

Scene::Scene(const Params& params, std::shared_ptr<const SchedulePlan> plan)
    : Scene(params, *(notebook_generators(params) ? make_notebook_schedule() : make_program_schedule(std::move(plan)))) {}


std::string params_json(const Params& p) {
  // Keys sorted as Python's json.dumps(sort_keys=True) writes them. The
  // notebook's own schedule writes exactly the notebook's keys, so its dump
  // stays byte for byte the notebook's recording.
  const bool real = p.real_time();
  const bool beyond_notebook =
      !p.is_notebook() || p.cost_f != 1 || p.cost_i != 1 || p.cost_w != 1 || real;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const ParamSpec& spec : param_table()) {
    const bool shown = spec.group == ParamGroup::Scene ||
                       (spec.group == ParamGroup::Schedule && beyond_notebook) ||
                       (spec.group != ParamGroup::Scene && spec.group != ParamGroup::Schedule && real);
    if (!shown) continue;
    switch (spec.type()) {
      case ParamType::Integer: keys.emplace_back(spec.key, std::to_string(spec.effective(p))); break;
      case ParamType::Number: keys.emplace_back(spec.key, spec.text(p)); break;
      case ParamType::OptionalNumber: keys.emplace_back(spec.key, spec.text(p).empty() ? "null" : spec.text(p)); break;
      case ParamType::Choice: keys.emplace_back(spec.key, json_string(spec.text(p))); break;
      case ParamType::PerStage: keys.emplace_back(spec.key, "[" + spec.text(p) + "]"); break;
    }
  }
  if (real) keys.emplace_back("model", json_string(std::string(model_name(p.model))));
  if (beyond_notebook) {
    keys.emplace_back("schedule", json_string(p.schedule_name()));
    // Which rank (GPU) of a replica holds each stage, stage by stage.
    std::string ranks = "[";
    for (std::int64_t s = 0; s < p.stages(); ++s) ranks += fmt::format("{}{}", s == 0 ? "" : ", ", p.rank_of_stage(s));
    keys.emplace_back("stage_ranks", ranks + "]");
  }
  std::sort(keys.begin(), keys.end());  // byte order, as Python sorts str keys
  std::string out = "{";
  for (const auto& [key, value] : keys) out += (out.size() > 1 ? ", \"" : "\"") + key + "\": " + value;
  return out + "}";
}

}  // namespace pipescope
