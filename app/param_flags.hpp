#pragma once
// The parameter flags shared by every pipescope command (dump, render and the
// explorer), mapped onto the notebook's parameter names.

#include <string>

#include <CLI/CLI.hpp>

#include "pipescope/params.hpp"

namespace pipescope::app {

// Adds --d-model ... --dp-comm-steps to `cmd`, writing into `params`.
void add_param_flags(CLI::App& cmd, Params& params);

// The flag that sets a notebook parameter: "dp_gpu_delta" -> "--dp-gap".
std::string flag_for(const std::string& notebook_name);

// Sets pp, microbatches and chunks from params.schedule_file, and rounds L up
// to a multiple of its stages, except those the user gave.
void apply_schedule_file_shape(Params& params, bool pp_given, bool microbatches_given, bool chunks_given,
                               bool layers_given);

// Prints one line per broken rule, naming the flag; returns false if any.
bool report_invalid(const Params& params);

}  // namespace pipescope::app
