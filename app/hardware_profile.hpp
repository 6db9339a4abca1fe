#pragma once
// A hardware profile (--hardware FILE): the GPU, the cluster and the fitted
// efficiency model as parameter values, in JSON, as `pipescope calibrate`
// writes it:
//   {"pipescope_hardware": 1, "description": "...", "params": {"gpu_tflops": 312, "mfu": 0.8, ...}}
// Only the Hardware and Cluster groups' numbers may appear in it (a profile
// describes machines, not models).

#include <stdexcept>
#include <string>

#include "pipescope/model/params.hpp"

namespace pipescope::app {

inline constexpr int kHardwareVersion = 1;

struct HardwareError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Sets the profile's values in p. Throws HardwareError naming the file and
// the key (and what to do) for a file that cannot be read or is not a profile.
void load_hardware_profile(const std::string& path, Params& p);

// The profile of p's hardware: every Hardware and Cluster number but the
// animation's and measured costs, with `description` and `extra` (the fit's errors) beside it.
std::string hardware_profile_json(const Params& p, const std::string& description, const std::string& extra_json);

}  // namespace pipescope::app
