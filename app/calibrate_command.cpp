#include "calibrate_command.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hardware_profile.hpp"
#include "output_file.hpp"
#include "param_flags.hpp"
#include "pipescope/analysis/calibrate.hpp"
#include "pipescope/io/input_file.hpp"
#include "pipescope/model/param_table.hpp"

namespace pipescope::app {

namespace {

struct RunsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\r')) cell.pop_back();
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    out.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// A column's parameter: its flag without the dashes ("d-model").
const ParamSpec* spec_of_column(const std::string& name) {
  for (const ParamSpec& spec : param_table()) {
    if (spec.flag.substr(2) == name) return &spec;
  }
  return nullptr;
}

void set_cell(Params& p, const ParamSpec& spec, const std::string& cell, const std::string& where) {
  if (spec.type() == ParamType::Choice) {
    const auto i = spec.choice_index(cell);
    if (!i) throw RunsError(fmt::format("{}: '{}' is not a choice for {}; choose {}", where, printable(cell), spec.flag, spec.choice_list()));
    p.*spec.value = *i;
    return;
  }
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (cell.empty() || used != cell.size() || !std::isfinite(v)) {
    throw RunsError(fmt::format("{}: '{}' is not a number (column {})", where, printable(cell), spec.flag.substr(2)));
  }
  switch (spec.type()) {
    case ParamType::Integer:
      if (v != std::floor(v) || std::abs(v) > 9e15) throw RunsError(fmt::format("{}: {} must be a whole number, got '{}'", where, spec.flag.substr(2), printable(cell)));
      spec.set(p, static_cast<std::int64_t>(v));
      break;
    case ParamType::Number: p.*spec.number = v; break;
    case ParamType::OptionalNumber: p.*spec.optional_number = v; break;
    case ParamType::PerStage: p.*spec.per_stage = {v}; break;
    case ParamType::Choice: break;
  }
}

// Opened without blocking, regular files only, at most 64 MiB (the 1,481
// measured steps are 53 kB).
std::vector<CalibrationRow> read_runs(const std::string& path, const Params& base) {
  std::string text;
  try {
    text = read_input_file(path, std::size_t{64} << 20, "a file of measured runs");
  } catch (const InputFileError& e) {
    throw RunsError(e.what());
  }
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw RunsError(fmt::format("{} is empty: its first line names the columns", path));
  const std::vector<std::string> header = split(line);
  std::vector<const ParamSpec*> columns;
  int step_column = -1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "step_ms") {
      step_column = static_cast<int>(c);
      columns.push_back(nullptr);
      continue;
    }
    const ParamSpec* spec = spec_of_column(header[c]);
    if (!spec) {
      throw RunsError(fmt::format("{} line 1: column '{}' is neither step_ms nor a parameter flag without its dashes "
                                  "(d-model, tp, microbatches, ...)",
                                  path, printable(header[c])));
    }
    columns.push_back(spec);
  }
  if (step_column < 0) throw RunsError(fmt::format("{} line 1: no step_ms column: name the measured step time step_ms", path));
  std::vector<CalibrationRow> rows;
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::string where = fmt::format("{} line {}", path, number);
    const std::vector<std::string> cells = split(line);
    if (cells.size() != header.size()) {
      throw RunsError(fmt::format("{}: {} values, but the header names {} columns", where, cells.size(), header.size()));
    }
    CalibrationRow row{base, 0, number};
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (columns[c]) {
        set_cell(row.params, *columns[c], cells[c], where);
        continue;
      }
      std::size_t used = 0;
      try {
        row.step_ms = std::stod(cells[c], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != cells[c].size() || !(row.step_ms > 0) || !std::isfinite(row.step_ms)) {
        throw RunsError(fmt::format("{}: step_ms is '{}', but it must be a time above 0 in ms", where,
                                    printable(cells[c])));
      }
    }
    if (const auto errors = validate(row.params); !errors.empty()) {
      throw RunsError(fmt::format("{}: {} ({}; flags on the command line apply to every row)", where,
                                  errors.front().message, flag_for(errors.front().field)));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw RunsError(fmt::format("{} has no rows below its header", path));
  return rows;
}

std::string worst_text(const std::vector<RowPrediction>& rows, const std::vector<CalibrationRow>& all) {
  if (rows.empty()) return "";
  const auto worst = std::max_element(rows.begin(), rows.end(), [](const RowPrediction& a, const RowPrediction& b) {
    return std::abs(a.error()) < std::abs(b.error());
  });
  return fmt::format("worst {:+.1f} % (line {}: predicted {:.4g} ms, measured {:.4g} ms)", 100 * worst->error(),
                     all[worst->row].line, worst->predicted_ms, worst->measured_ms);
}

// Errors by GPU count: where a fit on small runs stops predicting larger ones.
std::string by_gpus_text(const std::vector<RowPrediction>& rows, const std::vector<CalibrationRow>& all) {
  std::map<double, std::vector<RowPrediction>> groups;
  for (const RowPrediction& r : rows) groups[all[r.row].params.gpus()].push_back(r);
  std::string out;
  for (const auto& [gpus, group] : groups) {
    out += fmt::format("{}{:.0f} GPUs {:.1f} % ({})", out.empty() ? "" : ", ", gpus, 100 * mean_absolute_error(group),
                       group.size());
  }
  return out;
}

nlohmann::json summary(const std::vector<RowPrediction>& rows) {
  double worst = 0;
  for (const RowPrediction& r : rows) worst = std::max(worst, std::abs(r.error()));
  return {{"rows", rows.size()}, {"mean_absolute_error", mean_absolute_error(rows)}, {"worst_absolute_error", worst}};
}

}  // namespace

CLI::App* add_calibrate_command(CLI::App& cli, CalibrateOptions& o) {
  CLI::App* cmd = cli.add_subcommand(
      "calibrate",
      "Fit the cost model's efficiency terms to measured step times and write a hardware profile (--hardware reads it).");
  cmd->add_option("runs", o.runs,
                  "CSV of measured runs: a header of parameter flags without their dashes (d-model, heads, layers, "
                  "seq-len, batch, microbatches, tp, dp, pp, ...) and step_ms, one run a line")
      ->required()
      ->type_name("RUNS.csv");
  cmd->add_option("-o,--output", o.output, "the hardware profile to write (JSON)")->required()->type_name("FILE");
  cmd->add_option("--holdout", o.holdout, "a share of the rows (0 to 1) kept out of the fit at random, to report "
                                          "how well the fit predicts runs it did not see")
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--holdout-gpus-above", o.holdout_gpus_above,
                  "keep runs on more GPUs than this out of the fit (fit on one node, predict many)");
  cmd->add_option("--seed", o.seed, "of the random holdout")->capture_default_str();
  cmd->add_option("--predictions", o.predictions, "also write each row's predicted and measured step time (CSV)")
      ->type_name("FILE.csv");
  add_param_flags(*cmd, o.params);
  return cmd;
}

int run_calibrate(const CalibrateOptions& o) {
  std::vector<CalibrationRow> rows;
  try {
    rows = read_runs(o.runs, o.params);
  } catch (const RunsError& e) {
    std::cerr << "pipescope: calibrate: " << e.what() << "\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  CalibrationResult r;
  try {
    r = calibrate(rows, {o.holdout, o.holdout_gpus_above, o.seed});
  } catch (const std::invalid_argument& e) {
    std::cerr << "pipescope: calibrate: " << e.what() << "\n";
    return 2;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Params fitted = o.params;
  apply_fitted(fitted, r.values);
  std::cout << fmt::format("calibrate: {} rows fitted{}, {} evaluations in {:.1f} s\n", r.fit.size(),
                           r.held_out.empty() ? "" : fmt::format(", {} held out", r.held_out.size()), r.evaluations,
                           seconds);
  for (std::size_t i = 0; i < kFittedKeys.size(); ++i) {
    const ParamSpec& spec = *param_spec(kFittedKeys[i]);
    std::cout << fmt::format("  {:<22} {:>10.4g} {}\n", spec.flag, r.values[i], spec.unit);
  }
  std::cout << fmt::format("fit:      mean error {:.1f} % over {} rows; {}\n", 100 * mean_absolute_error(r.fit),
                           r.fit.size(), worst_text(r.fit, rows));
  std::cout << "          by GPUs: " << by_gpus_text(r.fit, rows) << "\n";
  if (!r.held_out.empty()) {
    std::cout << fmt::format("held out: mean error {:.1f} % over {} rows; {}\n", 100 * mean_absolute_error(r.held_out),
                             r.held_out.size(), worst_text(r.held_out, rows));
    std::cout << "          by GPUs: " << by_gpus_text(r.held_out, rows) << "\n";
  }
  nlohmann::json extra = {{"fitted_on", o.runs}, {"fit", summary(r.fit)}};
  if (!r.held_out.empty()) extra["held_out"] = summary(r.held_out);
  const std::string description =
      fmt::format("fitted by pipescope calibrate on {} ({} rows): mean error {:.1f} %", o.runs, r.fit.size(),
                  100 * mean_absolute_error(r.fit));
  try {
    write_whole_file(o.output, hardware_profile_json(fitted, description, extra.dump()));
    if (!o.predictions.empty()) {
      std::string csv = "line,gpus,tp,dp,pp,measured_ms,predicted_ms,error,held_out\n";
      auto add = [&](const std::vector<RowPrediction>& list, bool held) {
        for (const RowPrediction& p : list) {
          const Params& q = rows[p.row].params;
          csv += fmt::format("{},{:.0f},{},{},{},{},{:.6g},{:.4f},{}\n", rows[p.row].line, q.gpus(), q.tp, q.dp, q.pp,
                             p.measured_ms, p.predicted_ms, p.error(), held ? 1 : 0);
        }
      };
      add(r.fit, false);
      add(r.held_out, true);
      write_whole_file(o.predictions, csv);
    }
  } catch (const OutputError& e) {
    std::cerr << "pipescope: calibrate: " << e.what() << "\n";
    return 1;
  }
  std::cout << "wrote " << o.output << "\n";
  return finish_standard_output("calibrate");
}

}  // namespace pipescope::app
