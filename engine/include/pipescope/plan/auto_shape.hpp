#pragma once
// --schedule auto with no --chunks picks the pipeline's shape too: one stage
// a rank or two in a V (the orders auto's own search makes), the fastest that
// fits. An interleaved zoo schedule (v stages a rank, in a loop) is tried
// too and named when faster: auto's search does not order that placement,
// and the planner (planner.hpp) weighs every shape. Once chosen, the shape is
// an ordinary parameter (chunks), so every view reads the same stages.

#include <optional>
#include <string>

#include "pipescope/model/params.hpp"

namespace pipescope {

struct AutoShape {
  Params params;     // the input with chunks set
  std::string note;  // what was chosen, against what, whether PyTorch 2.6 runs it, and a faster interleaved order
};

// Nothing to choose (not auto, chunks given, a schedule file, invalid
// parameters, or a single rank): nullopt.
std::optional<AutoShape> choose_auto_shape(const Params& p);

}  // namespace pipescope
