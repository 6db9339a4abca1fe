#include "hardware_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipescope/io/input_file.hpp"
#include "pipescope/model/param_table.hpp"
#include "presets.hpp"

namespace pipescope::app {

namespace {

// The numbers a profile carries: a machine's, not a run's or the animation's.
bool in_profile(const ParamSpec& spec) {
  if (spec.group != ParamGroup::Hardware && spec.group != ParamGroup::Cluster) return false;
  return spec.per_stage == nullptr && spec.key != "frame_us";
}

}  // namespace

// A shipped profile's file: share/pipescope/hardware/NAME.json beside the presets.
std::optional<std::filesystem::path> shipped_profile(const std::string& name) {
  const auto presets = presets_folder();
  if (!presets || name.find('/') != std::string::npos || name.ends_with(".json")) return std::nullopt;
  const std::filesystem::path file = presets->parent_path() / "hardware" / (name + ".json");
  std::error_code ec;
  return std::filesystem::is_regular_file(file, ec) ? std::optional(file) : std::nullopt;
}

std::string shipped_profile_names() {
  std::string out;
  const auto presets = presets_folder();
  std::error_code ec;
  if (!presets) return out;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(presets->parent_path() / "hardware", ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void load_hardware_profile(const std::string& given, Params& p) {
  const auto shipped = shipped_profile(given);
  const std::string path = shipped ? shipped->string() : given;
  std::string text;
  try {
    // Opened without blocking, regular files only, at most 1 MiB (a profile is a few hundred bytes).
    text = read_input_file(path, std::size_t{1} << 20, "a hardware profile");
  } catch (const InputFileError& e) {
    const std::string names = shipped_profile_names();
    throw HardwareError(fmt::format("{}: give a hardware profile (pipescope calibrate -o writes one){}", e.what(),
                                    names.empty() ? "" : " or a shipped one: " + names));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw HardwareError(fmt::format("{} is not JSON ({}): give a hardware profile", path, e.what()));
  }
  if (!j.is_object() || !j.contains("pipescope_hardware")) {
    throw HardwareError(fmt::format("{} is not a hardware profile (no \"pipescope_hardware\" key): pipescope calibrate "
                                    "-o writes one",
                                    path));
  }
  if (j["pipescope_hardware"] != kHardwareVersion) {
    throw HardwareError(fmt::format("{}: pipescope_hardware is {}, but this pipescope reads version {}", path,
                                    j["pipescope_hardware"].dump(), kHardwareVersion));
  }
  if (!j.contains("params") || !j["params"].is_object()) {
    throw HardwareError(fmt::format("{}: \"params\" must be an object of parameter values", path));
  }
  for (const auto& [key, value] : j["params"].items()) {
    const ParamSpec* spec = param_spec(key);
    if (!spec || !in_profile(*spec)) {
      throw HardwareError(fmt::format("{}: params.{} is not a hardware parameter; a profile holds the GPU's, the "
                                      "links' and the fitted efficiency's (pipescope --help, \"Hardware\" and "
                                      "\"Cluster\")",
                                      path, key));
    }
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      throw HardwareError(fmt::format("{}: params.{} must be a number, got {}", path, key, value.dump()));
    }
    const double v = value.get<double>();
    if (spec->number) {
      p.*spec->number = v;
    } else if (spec->optional_number) {
      p.*spec->optional_number = v;
    } else if (spec->value) {
      if (v != std::floor(v) || std::abs(v) > 9e15) {
        throw HardwareError(fmt::format("{}: params.{} must be a whole number, got {}", path, key, value.dump()));
      }
      p.*spec->value = static_cast<std::int64_t>(v);
    }
  }
}

std::string hardware_profile_json(const Params& p, const std::string& description, const std::string& extra_json) {
  nlohmann::ordered_json j;
  j["pipescope_hardware"] = kHardwareVersion;
  j["description"] = description;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const ParamSpec& spec : param_table()) {
    if (!in_profile(spec)) continue;
    if (spec.number) params[std::string(spec.key)] = p.*spec.number;
    if (spec.optional_number && p.*spec.optional_number) params[std::string(spec.key)] = *(p.*spec.optional_number);
    if (spec.value) params[std::string(spec.key)] = p.*spec.value;
  }
  j["params"] = params;
  if (!extra_json.empty()) j["calibration"] = nlohmann::ordered_json::parse(extra_json);
  return j.dump(1) + "\n";
}

}  // namespace pipescope::app
