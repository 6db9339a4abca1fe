#pragma once
// One parameter set made whole: its layout, its recorded timeline and a
// playhead on it. What every front end (dump, render, explorer) starts from.

#include <memory>

#include "pipescope/model/layout.hpp"
#include "pipescope/animate/schedule.hpp"
#include "pipescope/animate/timeline.hpp"

namespace pipescope {

class Scene {
 public:
  // Throws InvalidParams for parameters that fail validate(). Animates the
  // schedule the parameters name.
  explicit Scene(const Params& params);
  // The same, animating a plan already made for these parameters (an
  // analysis the caller has), so it is not simulated again.
  Scene(const Params& params, std::shared_ptr<const struct SchedulePlan> plan);
  // The layer view of these parameters (layer_view.hpp), animated.
  Scene(const Params& params, LayerViewTag);
  // Animates `schedule` instead (tests use stand-ins); it must outlive the call.
  Scene(const Params& params, const Schedule& schedule);

  const Params& params() const { return layout_->params(); }
  const Layout& layout() const { return *layout_; }
  const Timeline& timeline() const { return *timeline_; }
  Playhead& playhead() { return *playhead_; }
  const Playhead& playhead() const { return *playhead_; }

 private:
  std::unique_ptr<Layout> layout_;
  std::unique_ptr<Timeline> timeline_;
  std::unique_ptr<Playhead> playhead_;
};

// The parameters as the state dump's "meta" object writes them.
std::string params_json(const Params& p);

}  // namespace pipescope
