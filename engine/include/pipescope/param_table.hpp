#pragma once
// Every numeric parameter, defined once: its notebook name (also its session
// key, dump key and the field validation names), its flag, its help, its
// lower bound and unit. The command line's flags, the Parameters panel, the
// session file, the dump header and validation's per-parameter rules are all
// generated from this table; the schedule itself (a name or a file) is the
// one parameter that is not a number and is handled beside it.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "pipescope/params.hpp"

namespace pipescope {

enum class ParamGroup : std::uint8_t {
  Scene,     // the notebook's parameters
  Schedule,  // beyond the notebook: chunks and op costs
};

struct ParamSpec {
  std::string_view key;   // the notebook's name: "dp_gpu_delta"
  std::string_view flag;  // "--dp-gap"
  std::string_view help;  // one line, for --help and the panel's tooltip
  std::string_view unit;  // "scene units", "frames", "" for counts
  std::int64_t min;       // the smallest value allowed (0 or 1)
  ParamGroup group;
  // Exactly one of these is set: a plain value, or an optional one whose
  // absence means "derived" (d_hidden from d_model, chunks from the schedule).
  std::int64_t Params::*value = nullptr;
  std::optional<std::int64_t> Params::*optional = nullptr;
  std::string_view when_unset = {};  // what an absent optional means, for --help

  // The value in effect: an unset optional reads as what it derives to.
  std::int64_t effective(const Params& p) const;
  // The value as given: nullopt for an unset optional.
  std::optional<std::int64_t> given(const Params& p) const;
  void set(Params& p, std::optional<std::int64_t> v) const;
  bool is_optional() const { return optional != nullptr; }
};

// In the order the panel and --help show them.
std::span<const ParamSpec> param_table();
// By notebook name; nullptr for an unknown one.
const ParamSpec* param_spec(std::string_view key);

}  // namespace pipescope
