#include "param_flags.hpp"

#include <array>
#include <iostream>
#include <utility>

#include "input_checks.hpp"

namespace pipescope::app {

namespace {

struct FlagName {
  const char* notebook;
  const char* flag;
};
constexpr std::array<FlagName, 16> kFlags{{
    {"d_model", "--d-model"},
    {"d_hidden", "--d-hidden"},
    {"B", "--batch"},
    {"L", "--layers"},
    {"dp", "--dp"},
    {"pp", "--pp"},
    {"microbatches", "--microbatches"},
    {"dp_gpu_delta", "--dp-gap"},
    {"pp_gpu_delta", "--pp-gap"},
    {"pp_comm_steps", "--pp-comm-steps"},
    {"dp_comm_steps", "--dp-comm-steps"},
    {"schedule", "--schedule"},
    {"chunks", "--chunks"},
    {"cost_f", "--cost-f"},
    {"cost_i", "--cost-i"},
    {"cost_w", "--cost-w"},
}};

}  // namespace

std::string flag_for(const std::string& notebook_name) {
  for (const auto& f : kFlags) {
    if (notebook_name == f.notebook) return f.flag;
  }
  return notebook_name;
}

void add_param_flags(CLI::App& cmd, Params& p) {
  const std::string group = "Scene parameters (the notebook's names in brackets)";
  auto add = [&](const char* notebook, std::int64_t& value, const std::string& what) {
    cmd.add_option(flag_for(notebook), value, what + " [" + notebook + "]")
        ->transform(whole_number())
        ->capture_default_str()
        ->group(group);
  };
  add("d_model", p.d_model, "model width: the residual faces' depth along z");
  cmd.add_option("--d-hidden", p.d_hidden,
                 "hidden width: each layer's length along x [d_hidden] (default: 2 x d_model)")
      ->transform(whole_number())
      ->group(group);
  add("B", p.B, "global batch size, split over dp replicas");
  add("L", p.L, "number of layers; must be a multiple of --pp");
  add("dp", p.dp, "data-parallel replicas");
  add("pp", p.pp, "pipeline-parallel stages");
  add("microbatches", p.microbatches, "microbatches per replica");
  add("dp_gpu_delta", p.dp_gpu_delta, "gap between replicas along the batch axis");
  add("pp_gpu_delta", p.pp_gpu_delta, "gap between pipeline stages along the layer axis");
  add("pp_comm_steps", p.pp_comm_steps, "flashes of each pipeline send");
  add("dp_comm_steps", p.dp_comm_steps, "flashes of each gradient exchange (0: instant)");

  const std::string schedules = "Schedule";
  const CLI::Validator known_schedule(
      [](std::string& name) {
        return schedule_from_name(name) ? std::string()
                                        : "'" + name + "' is not a schedule; choose one of: " + schedule_names();
      },
      "NAME");
  cmd.add_option_function<std::string>(
         "--schedule", [&p](const std::string& name) { p.schedule = *schedule_from_name(name); },
         "pipeline schedule: " + schedule_names() + " (default: notebook)")
      ->check(known_schedule)
      ->group(schedules);
  cmd.add_option("--chunks", p.chunks,
                 "stages per rank (v): 2 or more for interleaved-1f1b, looped-bfs and interleaved-zb "
                 "(default 2), exactly 2 for zb-v and dualpipe-v, 1 otherwise")
      ->transform(whole_number())
      ->group(schedules);
  cmd.add_option("--cost-f", p.cost_f, "frames per forward matmul")
      ->transform(whole_number())
      ->capture_default_str()
      ->group(schedules);
  cmd.add_option("--cost-i", p.cost_i, "frames per backward-through-input matmul")
      ->transform(whole_number())
      ->capture_default_str()
      ->group(schedules);
  cmd.add_option("--cost-w", p.cost_w, "frames per weight-gradient matmul")
      ->transform(whole_number())
      ->capture_default_str()
      ->group(schedules);
}

bool report_invalid(const Params& params) {
  const auto errors = validate(params);
  for (const auto& e : errors) std::cerr << "pipescope: " << flag_for(e.field) << ": " << e.message << "\n";
  return !errors.empty();
}

}  // namespace pipescope::app
