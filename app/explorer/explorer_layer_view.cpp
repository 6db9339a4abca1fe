// The explorer's layer view: one transformer layer in the 3D view, playing
// the pass that the selected lane's GPU runs at the playhead.

#include "pipescope/animate/layer_view_frame.hpp"
#include "explorer_impl.hpp"

namespace pipescope::app {

void Explorer::show_scene() {
  showing_layer_ = view_.layer_view && layer_scene_ != nullptr;
  hovered_object_.reset();
  selected_object_.reset();
  if (showing_layer_) sync_layer_view();
  renderer_.set_scene(shown_scene().layout(), shown_scene().playhead());
  scene_dirty_ = true;
}

void Explorer::sync_layer_view() {
  const int lane = lanes_state_.selected_lane;
  const auto& lanes = analysis_->lanes;
  const std::size_t rank =
      lane >= 0 && static_cast<std::size_t>(lane) < lanes.size() ? static_cast<std::size_t>(lanes[static_cast<std::size_t>(lane)].rank) : 0;
  const SchedulePlan& plan = analysis_->scene_plan();
  // Frame f shows the work of time (f - 1) x frame_length .. f x frame_length: its middle.
  const auto time = static_cast<std::int64_t>((static_cast<double>(timeline_.frame) - 0.5) *
                                              static_cast<double>(plan.frame_length));
  const std::uint32_t frame = layer_view_frame(layer_scene_->timeline(), plan, rank, time);
  if (layer_scene_->playhead().frame() == frame) return;
  layer_scene_->playhead().seek(frame);
  renderer_.update(layer_scene_->playhead());
  scene_dirty_ = true;
}

}  // namespace pipescope::app
