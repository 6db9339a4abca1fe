#include "comparison.hpp"

namespace pipescope::app {

void Comparison::refresh(const Params& scene, int dtype_bytes, bool force) {
  if (!force && choice == loaded_ && dtype_bytes == loaded_dtype_) return;
  loaded_ = choice;
  loaded_dtype_ = dtype_bytes;
  view_ = {};
  lanes_.clear();
  state_.texture = &texture_;
  if (choice.schedule < 0) return;
  Params other = scene;
  other.schedule = schedule_catalog()[static_cast<std::size_t>(choice.schedule)].kind;
  if (other.schedule != scene.schedule) other.chunks.reset();  // another schedule: its own default
  if (choice.pp > 0) other.pp = choice.pp;
  if (choice.microbatches > 0) other.microbatches = choice.microbatches;
  if (const auto errors = validate(other); !errors.empty()) {
    view_.error = errors.front().message;
    return;
  }
  plan_ = make_plan(other);
  lanes_ = make_lanes(plan_);
  stats_ = schedule_stats(other, plan_, dtype_bytes);
  memory_ = activation_memory(plan_);
  view_ = {&lanes_, &plan_, static_cast<int>(other.stages_per_rank()), ""};
}

std::string Comparison::name() const {
  if (choice.schedule < 0) return "";
  std::string name(schedule_catalog()[static_cast<std::size_t>(choice.schedule)].name);
  if (choice.pp > 0) name += "_pp" + std::to_string(choice.pp);
  if (choice.microbatches > 0) name += "_mb" + std::to_string(choice.microbatches);
  return name;
}

}  // namespace pipescope::app
