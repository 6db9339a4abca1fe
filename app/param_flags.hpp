#pragma once
// The parameter flags shared by every pipescope command (dump, render and the
// explorer), mapped onto the notebook's parameter names.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "pipescope/model/params.hpp"
#include "session.hpp"

namespace pipescope::app {

// Adds --session and --preset, then --dp ... --cost-w, --schedule and
// --schedule-file to `cmd`, writing into `params`. A session is applied
// first and the flags given beside it override it; `on_session` gets the
// rest of the session (frame, camera, view) for commands that use them.
// `file_argument`: also take a positional FILE (a session, a PNG or a
// schedule CSV), as a file manager passes it to the explorer.
void add_param_flags(CLI::App& cmd, Params& params, std::function<void(const Session&)> on_session = {},
                     bool file_argument = false);

// --measured DIR|FILE (repeatable) and --measured-step N: read the traces once
// the command line is parsed and apply the run (measured_plan.hpp).
void add_measured_flags(CLI::App& cmd, Params& params);

// The flag that sets a notebook parameter: "dp_gpu_delta" -> "--dp-gap".
std::string flag_for(const std::string& notebook_name);

// Sets pp, microbatches and chunks from params.schedule_file, and rounds L up
// to a multiple of its stages, except those the user gave.
void apply_schedule_file_shape(Params& params, bool pp_given, bool microbatches_given, bool chunks_given,
                               bool layers_given);

// Prints one line per broken rule, naming the flag; returns false if any.
bool report_invalid(const Params& params);

}  // namespace pipescope::app
