#include "comparison.hpp"

namespace pipescope::app {

void Comparison::refresh(const Params& scene, bool force, std::int64_t frame_length) {
  if (!force && choice == loaded_ && frame_length == frame_length_) return;
  frame_length_ = frame_length;
  loaded_ = choice;
  view_ = {};
  analysis_.reset();
  state_.texture = &texture_;
  if (choice.schedule < 0) return;
  Params other = scene;
  other.schedule = schedule_catalog()[static_cast<std::size_t>(choice.schedule)].kind;
  // The chosen schedule, not the scene's file: a loaded CSV fixes only the scene.
  const bool same = !scene.schedule_file && other.schedule == scene.schedule;
  other.schedule_file.reset();
  if (!same) other.chunks.reset();  // another schedule: its own default
  if (choice.pp > 0) other.pp = choice.pp;
  if (choice.microbatches > 0) other.microbatches = choice.microbatches;
  if (const auto errors = validate(other); !errors.empty()) {
    view_.error = errors.front().message;
    return;
  }
  analysis_ = analyse(other);
  plan_ = analysis_->plan;
  plan_.frame_length = std::max<std::int64_t>(frame_length, 1);
  view_ = {&analysis_->lanes, &plan_, static_cast<int>(other.stages_per_rank()), ""};
}

std::string Comparison::name() const {
  if (choice.schedule < 0) return "";
  std::string name(schedule_catalog()[static_cast<std::size_t>(choice.schedule)].name);
  if (choice.pp > 0) name += "_pp" + std::to_string(choice.pp);
  if (choice.microbatches > 0) name += "_mb" + std::to_string(choice.microbatches);
  return name;
}

}  // namespace pipescope::app
