#pragma once
// Parameter sets the tests sweep: the notebook's defaults and shapes that
// stress its rules (one replica, one stage, odd sizes, fractional batches).

#include <vector>

#include "pipescope/model/params.hpp"

namespace pipescope::testing {

inline std::vector<Params> varied_params() {
  std::vector<Params> out;
  out.push_back(Params{});
  Params single;  // no data parallelism, no pipeline
  single.dp = 1;
  single.pp = 1;
  single.L = 3;
  single.microbatches = 2;
  out.push_back(single);
  Params odd;  // fractional batch slabs, no gaps, no comm flashes
  odd.B = 50;
  odd.dp = 3;
  odd.pp = 2;
  odd.L = 4;
  odd.microbatches = 7;
  odd.dp_gpu_delta = 0;
  odd.pp_gpu_delta = 0;
  odd.pp_comm_steps = 0;
  odd.dp_comm_steps = 0;
  out.push_back(odd);
  Params deep;  // several layers per stage, many microbatches
  deep.d_model = 4;
  deep.d_hidden = 6;
  deep.dp = 4;
  deep.pp = 4;
  deep.L = 12;
  deep.microbatches = 16;
  deep.pp_comm_steps = 3;
  deep.dp_comm_steps = 1;
  out.push_back(deep);
  return out;
}

}  // namespace pipescope::testing
