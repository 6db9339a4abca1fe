#pragma once
// Every parameter but the schedule and the model's kind, defined once: its
// notebook name (also its session key, dump key and the field validation
// names), its flag, its help, its bounds and unit. The command line's flags,
// the Parameters panel, the session file, the dump header and validation's
// per-parameter rules are all generated from this table; the schedule (a
// name or a file) and the model (`notebook` or `transformer`) are the two
// parameters that are not numbers and are handled beside it.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/model/params.hpp"

namespace pipescope {

enum class ParamGroup : std::uint8_t {
  Scene,     // the notebook's parameters
  Schedule,  // beyond the notebook: chunks and op costs in frames
  Model,     // the transformer's shape and element size (--model transformer)
  Parallelism,  // tensor parallelism, ZeRO, recomputation (--model transformer)
  Hardware,     // the GPUs and links, measured costs, the animation's rate
  Cluster,      // where the GPUs sit and the fitted efficiency model (real time)
};

enum class ParamType : std::uint8_t {
  Integer,   // a whole number (value or optional)
  Number,    // a finite real number
  PerStage,  // one real number or one per stage, comma-separated: "1200,1200,1500"
  Choice,    // one of a few names ("none", "selective", "full"), stored as its index
  OptionalNumber,  // a finite real number, or unset (derived: when_unset says from what)
};

struct ParamSpec {
  std::string_view key;   // the notebook's name: "dp_gpu_delta"
  std::string_view flag;  // "--dp-gap"
  std::string_view help;  // one line, for --help and the panel's tooltip
  std::string_view unit;  // "scene units", "frames", "" for counts
  double min;             // the smallest value allowed (0 or 1 for counts)
  ParamGroup group;
  // Exactly one of these is set: a plain value, an optional one whose
  // absence means "derived" (d_hidden from d_model, chunks from the
  // schedule), a real number or a per-stage list of them.
  std::int64_t Params::*value = nullptr;
  std::optional<std::int64_t> Params::*optional = nullptr;
  std::string_view when_unset = {};  // what an absent optional (or empty list) means, for --help
  double Params::*number = nullptr;
  std::vector<double> Params::*per_stage = nullptr;
  bool min_excluded = false;  // the value must be above min, not at it
  double max = std::numeric_limits<double>::infinity();
  // A Choice: its names, index 0 the default; the value is `value`'s index.
  std::span<const std::string_view> choices = {};
  std::optional<double> Params::*optional_number = nullptr;

  ParamType type() const {
    if (number) return ParamType::Number;
    if (optional_number) return ParamType::OptionalNumber;
    if (per_stage) return ParamType::PerStage;
    return choices.empty() ? ParamType::Integer : ParamType::Choice;
  }
  // Choices only: the index of `name`, or nullopt.
  std::optional<std::int64_t> choice_index(std::string_view name) const;
  // Choices only: "none, selective or full".
  std::string choice_list() const;
  // Integers only. The value in effect: an unset optional reads as what it derives to.
  std::int64_t effective(const Params& p) const;
  // Integers only. The value as given: nullopt for an unset optional.
  std::optional<std::int64_t> given(const Params& p) const;
  void set(Params& p, std::optional<std::int64_t> v) const;
  bool is_optional() const { return optional != nullptr || per_stage != nullptr || optional_number != nullptr; }
  // Any type, as the dump and --help show it: "12", "0.4", "1200,1500"; ""
  // for an unset optional or an empty list.
  std::string text(const Params& p) const;
  // The rule `v` breaks, naming the key and bounds, or "" when it is in range.
  std::string out_of_range(double v) const;
};

// In the order the panel and --help show them.
std::span<const ParamSpec> param_table();
// By notebook name; nullptr for an unknown one.
const ParamSpec* param_spec(std::string_view key);

// "1200,1200,1500" -> {1200, 1200, 1500}; nullopt with `why` set for
// anything else (an empty item, a word, a non-finite number).
std::optional<std::vector<double>> parse_per_stage(std::string_view text, std::string& why);
// The shortest text that reads back as the same double: 0.4, 989, 1e-05.
std::string number_text(double v);

}  // namespace pipescope
