#pragma once
// The schedule's lanes in the timeline panel: one lane per pipeline rank,
// each timed pass a block coloured as the scene colours it, sends and
// exchanges on a thin strip beneath, the playhead across all of them. Click
// or drag seeks, the wheel zooms around the cursor, a right or middle drag
// pans, Fit (or Home over the lanes) shows the whole schedule; hovering a
// block tells what it is and what it waited for. Reads the engine's lanes
// and plan; computes no schedule.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explorer_state.hpp"
#include "pipescope/analysis/lanes.hpp"
#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/render/lanes_texture.hpp"

namespace pipescope::app {

struct LanesState {
  LaneView view;
  std::string hovered;  // the hovered block's description, one line ("" if none)
  // An object picked in 3D: the blocks of its stage (and microbatch, if it
  // has one) are outlined. stage -1: none.
  int selected_stage = -1, selected_microbatch = -1;
  // The block last clicked (its lane, its index in that lane's compute
  // blocks): arrows join it to the blocks it depends on and that depend on it.
  int selected_lane = -1, selected_block = -1;
  bool selection_changed = false;  // set when a click picks a new block
  // Replicas run the same timing: their lanes show folded into one group
  // (click its header to unfold into one collapsible group per replica).
  int replicas = 1;
  bool fold_replicas = true;
  // Where the blocks are painted (one quad a frame); none: a rectangle each.
  LanesTexture* texture = nullptr;
  std::vector<char> collapsed;  // per replica, when unfolded
};

// Rows the lanes of `lane_count` ranks take in `state`'s grouping.
std::size_t lanes_rows(const LanesState& state, std::size_t lane_count);

// The width of the rank labels left of the lanes.
float lanes_label_width(float ui_scale, const std::vector<Lane>& lanes);

// Rows shown at once (the rest scroll): eight, or four each when a second
// set of lanes (a compared schedule, a measured step's ideal) sits beneath,
// so that both fit beside a 3D view at pp 8.
inline constexpr std::size_t kLaneRowsShown = 8, kLaneRowsShownBeside = 4;

// Rows the lanes take, for the panel's height (at most `max_rows` show at
// once, the rest scroll; `all_rows` shows every one, for an export).
float lanes_height(std::size_t lanes, float ui_scale, bool all_rows = false, std::size_t max_rows = kLaneRowsShown);

// "zb-v: pp 4, ...; makespan 12.34 ms; bubble ... idle/compute, ... idle/wall,
// ... playground": what the lanes show, with all three bubbles.
std::string lanes_title(const Params& p, const ScheduleStats& stats);

// Draws in the current ImGui window, full width; a frame to seek to if the
// user clicked or dragged on the lanes.
std::optional<std::uint32_t> lanes_view(const std::vector<Lane>& lanes, const SchedulePlan& plan,
                                        int stages_per_rank, LanesState& state, std::uint32_t frame,
                                        std::uint32_t last, float ui_scale, WidgetRects& rects,
                                        bool all_rows = false, std::size_t max_rows = kLaneRowsShown);

}  // namespace pipescope::app
