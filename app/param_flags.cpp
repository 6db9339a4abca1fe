#include "param_flags.hpp"

#include <iostream>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "hardware_profile.hpp"
#include "pipescope/model/gpu_presets.hpp"
#include "input_checks.hpp"
#include "presets.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/model/param_table.hpp"

namespace pipescope::app {

std::string flag_for(const std::string& notebook_name) {
  if (const ParamSpec* spec = param_spec(notebook_name)) return std::string(spec->flag);
  if (notebook_name == "schedule") return "--schedule";
  if (notebook_name == "schedule_file") return "--schedule-file";
  if (notebook_name == "model") return "--model";
  return notebook_name;
}

namespace {

// One flag from the parameter table: decimal whole numbers only, the
// default shown, the notebook's name in brackets.
std::string group_title(ParamGroup group) {
  switch (group) {
    case ParamGroup::Scene: return "Scene parameters (the notebook's names in brackets)";
    case ParamGroup::Schedule: return "Schedule";
    case ParamGroup::Model: return "Model (--model transformer)";
    case ParamGroup::Parallelism: return "Parallelism and memory (--model transformer)";
    case ParamGroup::Hardware: return "Hardware and measured costs (real time)";
    case ParamGroup::Cluster: return "Cluster and fitted efficiency (real time; --hardware FILE sets them)";
  }
  return "";
}

// One flag from the parameter table: decimal whole numbers or finite reals,
// the default shown, the notebook's name in brackets. Ranges are validate()'s.
void add_table_flag(CLI::App& cmd, Params& p, const ParamSpec& spec) {
  std::string help(spec.help);
  if (!spec.unit.empty()) help += ", in " + std::string(spec.unit);
  help += " [" + std::string(spec.key) + "]";
  if (spec.is_optional()) help += " (default: " + std::string(spec.when_unset) + ")";
  CLI::Option* option = nullptr;
  switch (spec.type()) {
    case ParamType::Integer:
      option = spec.optional ? cmd.add_option(std::string(spec.flag), p.*spec.optional, help)
                             : cmd.add_option(std::string(spec.flag), p.*spec.value, help)->capture_default_str();
      option->transform(whole_number());
      break;
    case ParamType::Number:
      option = cmd.add_option(std::string(spec.flag), p.*spec.number, help)->capture_default_str();
      option->transform(spec.unit == "GB/s" ? bandwidth_number() : finite_number());
      break;
    case ParamType::OptionalNumber: {
      const std::string flag(spec.flag);
      option = cmd.add_option_function<double>(
                      flag, [&p, &spec](double v) { p.*spec.optional_number = v; }, help)
                   ->transform(bandwidth_number());
      break;
    }
    case ParamType::Choice: {
      const std::string flag(spec.flag);
      help += " (default: " + std::string(spec.choices.front()) + ")";
      option = cmd.add_option_function<std::string>(
                      flag, [&p, &spec](const std::string& name) { p.*spec.value = *spec.choice_index(name); }, help)
                   ->check(CLI::Validator(
                       [&spec](std::string& name) {
                         return spec.choice_index(name) ? std::string()
                                                        : "'" + name + "' is not a choice; choose " + spec.choice_list();
                       },
                       "NAME"));
      option->type_name(std::string(spec.choices.front()) + "|...");
      break;
    }
    case ParamType::PerStage: {
      const std::string flag(spec.flag);
      option = cmd.add_option_function<std::string>(
                      flag,
                      [&p, &spec, flag](const std::string& text) {
                        std::string why;
                        const auto list = parse_per_stage(text, why);
                        if (!list) throw CLI::ValidationError(flag, "'" + text + "': " + why);
                        p.*spec.per_stage = *list;
                      },
                      help)
                   ->type_name("US[,US...]");
      break;
    }
  }
  option->group(group_title(spec.group));
}

}  // namespace

namespace {

// --schedule-file's work: read the file, then take the pipeline's shape from
// it where the user gave none.
void use_schedule_file(CLI::App& cmd, Params& p, const std::string& flag, const std::string& path) {
  try {
    p.schedule_file = load_schedule_file(path);
  } catch (const ScheduleFileError& e) {
    throw CLI::ValidationError(flag, e.what());
  }
  apply_schedule_file_shape(p, cmd.count("--pp") > 0, cmd.count("--microbatches") > 0, cmd.count("--chunks") > 0,
                            cmd.count("--layers") > 0);
}

bool is_x264_preset(const std::string& name) {
  for (const char* x : {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"}) {
    if (name == x) return true;
  }
  return false;
}

}  // namespace

void add_param_flags(CLI::App& cmd, Params& p, std::function<void(const Session&)> on_session, bool file_argument) {
  // Defined first: CLI11 runs callbacks in the order options were added, so
  // every flag given beside a session overrides what the session set.
  // Defined before them, so its callback has run when theirs do.
  auto trusted = std::make_shared<bool>(false);
  cmd.add_flag_callback("--trust-session", [trusted] { *trusted = true; },
                        "let a session (or a PNG's) name a schedule file outside its own folder; without it such a "
                        "session is refused, so that a file someone sent cannot read your other files")
      ->group("Sessions");
  auto apply = [&p, on_session, trusted](const std::string& flag, const std::string& path) {
    LoadedSession loaded;
    try {
      loaded = load_session(path, *trusted);
    } catch (const SessionError& e) {
      throw CLI::ValidationError(flag, e.what());
    }
    for (const std::string& w : loaded.warnings) std::cerr << "pipescope: warning: " << path << ": " << w << "\n";
    p = loaded.session.params;
    if (on_session) on_session(loaded.session);
  };
  const std::string sessions = "Sessions";
  CLI::Option* session = cmd.add_option_function<std::string>(
                                "--session", [apply](const std::string& path) { apply("--session", path); },
                                "start from a session: a .json the explorer saved (Ctrl+S), or a PNG pipescope "
                                "wrote; flags given beside it override it")
                             ->type_name("FILE")
                             ->group(sessions);
  cmd.add_option_function<std::string>(
         "--preset",
         [apply](const std::string& name) {
           const auto path = preset_path(name);
           if (!path) {
             // x264's speed presets were --preset before presets were sessions.
             if (is_x264_preset(name)) {
               throw CLI::ValidationError("--preset", "'" + name + "' is an x264 speed preset: that flag is "
                                                      "--x264-preset now; --preset picks a session preset");
             }
             throw CLI::ValidationError("--preset", "'" + name + "' is not a preset; choose one of: " +
                                                        preset_names() + " (pipescope --list-presets)");
           }
           apply("--preset", path->string());
         },
         "start from a shipped preset (a session): pipescope --list-presets shows them")
      ->type_name("NAME")
      ->excludes(session)
      ->group(sessions);
  if (file_argument) {
    // What a file manager passes (the desktop entry's %f): a session, a PNG
    // pipescope wrote, or a schedule CSV.
    cmd.add_option_function<std::string>(
           "file",
           [apply, &cmd, &p](const std::string& path) {
             if (path.ends_with(".csv")) {
               use_schedule_file(cmd, p, "FILE", path);
             } else {
               apply("FILE", path);
             }
           },
           "a file to open: a session (.json), a PNG pipescope wrote, or a PyTorch schedule (.csv)")
        ->type_name("FILE")
        ->excludes(session)
        ->excludes("--preset")
        ->group(sessions);
  }

  // Before the profile and the table's flags, which override it.
  cmd.add_option_function<std::string>(
         "--gpu",
         [&p](const std::string& name) {
           const GpuPreset* g = gpu_preset(name);
           if (!g) {
             throw CLI::ValidationError("--gpu", "'" + name + "' is not a GPU pipescope knows; choose " +
                                                     gpu_preset_names() +
                                                     ", or give --gpu-tflops, --gpu-memory-gib and the links");
           }
           apply_gpu_preset(p, *g);
         },
         "a GPU and its server: sets --gpu-tflops, --gpu-memory-gib, --gpu-memory-gbps and the links: " +
             gpu_preset_names())
      ->type_name("NAME")
      ->group(group_title(ParamGroup::Cluster));
  // Before the table's flags, so that a flag given beside it overrides the profile.
  cmd.add_option_function<std::string>(
         "--hardware",
         [&p](const std::string& path) {
           try {
             load_hardware_profile(path, p);
           } catch (const HardwareError& e) {
             throw CLI::ValidationError("--hardware", e.what());
           }
         },
         "a hardware profile: the GPU, the cluster and a fitted efficiency model (pipescope calibrate -o writes "
         "one), or a shipped one by name (a100-megatron); flags given beside it override it")
      ->type_name("FILE")
      ->group(group_title(ParamGroup::Cluster));
  for (const ParamSpec& spec : param_table()) {
    if (spec.group == ParamGroup::Scene) add_table_flag(cmd, p, spec);
  }

  const std::string schedules = "Schedule";
  const CLI::Validator known_schedule(
      [](std::string& name) {
        return schedule_from_name(name) ? std::string()
                                        : "'" + name + "' is not a schedule; choose one of: " + schedule_names();
      },
      "NAME");
  cmd.add_option_function<std::string>(
         "--schedule",
         [&p](const std::string& name) {
           p.schedule = *schedule_from_name(name);
           p.schedule_file.reset();  // over a session's file
         },
         "pipeline schedule: " + schedule_names() + " (default: notebook)")
      ->check(known_schedule)
      ->group(schedules);
  for (const ParamSpec& spec : param_table()) {
    if (spec.group == ParamGroup::Schedule) add_table_flag(cmd, p, spec);
  }
  const CLI::Validator known_model(
      [](std::string& name) {
        return model_from_name(name) ? std::string()
                                     : "'" + name + "' is not a model; choose notebook or transformer";
      },
      "NAME");
  cmd.add_option_function<std::string>(
         "--model", [&p](const std::string& name) { p.model = *model_from_name(name); },
         "what costs and memory come from: notebook (the notebook's MLP; time in animation frames) or "
         "transformer (a GPT-style layer on real GPUs; time in microseconds, memory in bytes) (default: notebook)")
      ->check(known_model)
      ->group(group_title(ParamGroup::Model));
  for (const ParamSpec& spec : param_table()) {
    if (spec.group == ParamGroup::Model) add_table_flag(cmd, p, spec);
  }
  for (const ParamGroup group : {ParamGroup::Parallelism, ParamGroup::Hardware, ParamGroup::Cluster}) {
    for (const ParamSpec& spec : param_table()) {
      if (spec.group == group) add_table_flag(cmd, p, spec);
    }
  }
  cmd.add_option_function<std::string>(
         "--schedule-file",
         [&cmd, &p](const std::string& path) { use_schedule_file(cmd, p, "--schedule-file", path); },
         "a schedule in PyTorch's CSV IR (one row per rank, as 'pipescope schedule --format csv' or "
         "torch.distributed.pipelining write it, with or without its SEND/RECV actions); sets --pp, "
         "--microbatches and --chunks, and rounds --layers up to a multiple of its stages unless given")
      ->excludes("--schedule")
      ->type_name("FILE.csv")
      ->group(schedules);
  add_measured_flags(cmd, p);
}

void add_measured_flags(CLI::App& cmd, Params& p) {
  // Read once the whole command line is parsed: --measured-step may come after it.
  struct Measured {
    std::vector<std::string> paths;
    std::optional<int> step;
  };
  auto m = std::make_shared<Measured>();
  const std::string group = "Measured runs";
  CLI::Option* measured =
      cmd.add_option("--measured", m->paths,
                     "a real step's PyTorch profiler traces: a folder of one trace per rank (Kineto's JSON, "
                     ".json or .json.gz, as torch.profiler exports them), or the files (repeat the flag); "
                     "shows the step as it ran beside its ideal (the same order at the median costs) and "
                     "sets --pp, --microbatches, --chunks, --dp 1 and --time-f/-i/-w per stage")
          ->type_name("DIR|FILE")
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)  // repeatable: every file given
          ->excludes("--schedule")
          ->excludes("--schedule-file")
          ->group(group);
  for (const char* timed : {"--time-f", "--time-i", "--time-w", "--time-allreduce"}) measured->excludes(timed);
  cmd.add_option_function<int>(
         "--measured-step", [m](int n) { m->step = n; },
         "the ProfilerStep#N of the traces to read (default: the last one every rank recorded)")
      ->type_name("N")
      ->needs(measured)
      ->check([](const std::string& text) -> std::string {
        // CLI11's own range check would print its bound as a 300-digit number.
        if (!text.empty() && text.front() == '-') return "the step is " + text + ", but it must be 0 or more";
        return "";
      })
      ->group(group);
  cmd.parse_complete_callback([&cmd, &p, m] {
    if (m->paths.empty()) return;
    // The traces fix dp (one pipeline) and the stages per rank: a flag that
    // says otherwise is refused, not silently replaced.
    if (cmd.count("--dp") > 0 && p.dp != 1) {
      throw CLI::ValidationError("--dp", fmt::format("dp is {}, but --measured reads one pipeline's ranks (dp 1): "
                                                     "leave --dp out",
                                                     p.dp));
    }
    try {
      auto run = load_measured_run(m->paths, m->step);
      const int v = run->program.stages_per_rank();
      if (cmd.count("--chunks") > 0 && p.chunks && *p.chunks != v) {
        throw CLI::ValidationError("--chunks", fmt::format("chunks is {}, but the traces put {} stage{} on each rank: "
                                                           "leave --chunks out",
                                                           *p.chunks, v, v == 1 ? "" : "s"));
      }
      apply_measured_run(p, std::move(run), cmd.count("--pp") > 0, cmd.count("--microbatches") > 0,
                         cmd.count("--layers") > 0);
    } catch (const MeasuredRunError& e) {
      throw CLI::ValidationError("--measured", e.what());
    }
  });
}

void apply_schedule_file_shape(Params& p, bool pp_given, bool microbatches_given, bool chunks_given,
                               bool layers_given) {
  // The file fixes the pipeline's shape; a value the user gave is kept so
  // that validation names both it and the file.
  const Program& prog = p.schedule_file->program;
  if (!pp_given) p.pp = prog.ranks;
  if (!microbatches_given) p.microbatches = prog.microbatches;
  if (!chunks_given) p.chunks.reset();
  // Left to its default, L becomes the nearest multiple of the file's
  // stages at or above it, so that every stage holds whole layers.
  if (!layers_given && p.L % prog.stages != 0) p.L += prog.stages - p.L % prog.stages;
}

bool report_invalid(const Params& params) {
  const auto errors = validate(params);
  for (const auto& e : errors) {
    std::cerr << "pipescope: " << (e.from_schedule_file ? std::string("--schedule-file") : flag_for(e.field)) << ": "
              << e.message << "\n";
  }
  return !errors.empty();
}

}  // namespace pipescope::app
