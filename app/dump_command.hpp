#pragma once
// `pipescope dump`: the state dump of ../shared/oracle/README.md.

#include <string>

#include "pipescope/model/params.hpp"

namespace pipescope::app {

struct DumpOptions {
  Params params;
  std::string output = "-";  // "-" is standard output
  bool owners = false;        // --owners: each object's kind and GPUs in the header
  bool layer_view = false;    // --layer-view: one transformer layer instead of the pipeline
};

int run_dump(const DumpOptions& options);

}  // namespace pipescope::app
