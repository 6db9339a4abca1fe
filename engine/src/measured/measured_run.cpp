#include "pipescope/measured/measured_run.hpp"
#include "pipescope/measured/trace_summary.hpp"
#include "pipescope/measured/trace_mesh.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clock_alignment.hpp"
#include "rank_actions.hpp"
#include "pipescope/io/input_file.hpp"
#include "pipescope/schedule/program_csv.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace pipescope {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFiles = 4096;

bool is_trace_name(const std::string& name) { return name.ends_with(".json") || name.ends_with(".json.gz"); }

std::vector<std::string> trace_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (path.empty()) throw MeasuredRunError("--measured is empty: give a folder of per-rank traces or the traces themselves");
    // A link loop, or a folder it may not enter, is said as the system says it, not as "does not exist".
    if (ec && ec != std::errc::no_such_file_or_directory) throw MeasuredRunError(fmt::format("{}: cannot be read: {}", path, ec.message()));
    if (ec || !fs::exists(status)) throw MeasuredRunError(path + ": does not exist (give a folder of per-rank traces or the traces themselves)");
    if (!fs::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (is_trace_name(name) && it->is_regular_file(ec)) found.push_back(it->path().string());
      if (found.size() > kMaxFiles) break;
    }
    if (ec) throw MeasuredRunError(fmt::format("{}: cannot be listed: {}", path, ec.message()));
    if (found.empty()) throw MeasuredRunError(path + ": holds no profiler traces (*.json or *.json.gz files)");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.size() > kMaxFiles) {
    throw MeasuredRunError(fmt::format("{}: holds more than {} traces; pipescope reads one pipeline's ranks", paths.front(), kMaxFiles));
  }
  return files;
}

std::string steps_text(const std::set<int>& steps) {
  if (steps.empty()) return "none";
  std::vector<std::string> s;
  for (int n : steps) s.push_back(fmt::format("#{}", n));
  if (s.size() > 8) s.erase(s.begin() + 3, s.end() - 3), s.insert(s.begin() + 3, "...");
  return fmt::format("{}", fmt::join(s, ", "));
}

std::string who(const detail::RankRecord& r) { return fmt::format("{} (rank {})", r.file, r.rank); }

// One file, read and reduced before the next is read: its rank and steps,
// and its RankRecord for each step that may be chosen (the one asked for,
// or its last few: the run's choice, the last step every rank shares, is
// nearly always among them; otherwise the file is read again).
struct ReducedTrace {
  std::string path;
  int rank = -1, world_size = -1;
  std::string distributed_problem;
  std::vector<ProcessGroup> groups;
  std::set<int> steps;
  std::map<int, detail::RankRecord> by_step;  // key -1: a trace without ProfilerStep marks
  std::map<int, std::string> errors_by_step;  // what its labels broke in a step, said if that step is chosen
  std::size_t events = 0;
  TraceSummary summary;  // what the file is, said when it cannot be shown
};

constexpr std::size_t kStepsKept = 4;

// `wanted`: the step asked for, if any. Throws MeasuredRunError.
ReducedTrace reduce_trace(const std::string& path, std::optional<int> wanted, const TraceLimits& limits,
                          std::size_t run_events_before) {
  KinetoTrace t;
  try {
    t = read_kineto_trace(path, limits, run_events_before);
  } catch (const TraceError& e) {
    throw MeasuredRunError(e.what());
  }
  ReducedTrace r;
  r.path = t.path;
  r.rank = t.rank;
  r.world_size = t.world_size;
  r.distributed_problem = t.distributed_problem;
  r.groups = t.groups;
  r.steps = detail::profiler_steps(t);
  r.events = t.events.size();
  r.summary = summarize_trace(t);
  if (r.rank < 0 || r.world_size < 1) return r;  // refused by the caller, which names the problem
  auto reduce = [&](int key, std::optional<int> step) {
    try {
      r.by_step.emplace(key, detail::rank_actions(t, step));
    } catch (const MeasuredRunError& e) {
      r.errors_by_step.emplace(key, e.what());
    }
  };
  if (r.steps.empty()) {
    if (!wanted) reduce(-1, std::nullopt);
  } else if (wanted) {
    if (r.steps.contains(*wanted)) reduce(*wanted, *wanted);
  } else {
    auto it = r.steps.rbegin();
    for (std::size_t k = 0; k < kStepsKept && it != r.steps.rend(); ++k, ++it) reduce(*it, *it);
  }
  return r;
}

// The step every rank recorded: the one asked for, or the last they share.
std::optional<int> choose_step(const std::vector<ReducedTrace>& traces, std::optional<int> wanted) {
  const bool none = std::all_of(traces.begin(), traces.end(), [](const auto& t) { return t.steps.empty(); });
  if (none && !wanted) return std::nullopt;  // no ProfilerStep marks: each file is one step
  for (const ReducedTrace& t : traces) {
    if (wanted && !t.steps.contains(*wanted)) {
      throw MeasuredRunError(fmt::format("{} (rank {}): has no ProfilerStep#{} (it has {}): choose a step every rank "
                                         "recorded with --measured-step",
                                         t.path, t.rank, *wanted, steps_text(t.steps)));
    }
    if (t.steps.empty()) {
      throw MeasuredRunError(fmt::format("{} (rank {}): has no ProfilerStep#N mark, but other ranks' traces do: were "
                                         "they all profiled the same way?",
                                         t.path, t.rank));
    }
  }
  if (wanted) return wanted;
  // The ranks before the one that leaves no step in common share `common`: name that one.
  std::set<int> common = traces[0].steps;
  for (std::size_t i = 1; i < traces.size(); ++i) {
    std::set<int> both;
    std::set_intersection(common.begin(), common.end(), traces[i].steps.begin(), traces[i].steps.end(),
                          std::inserter(both, both.end()));
    if (both.empty()) {
      throw MeasuredRunError(fmt::format("{} (rank {}) has steps {}, but the ranks before it share only {}: no step "
                                         "every rank recorded",
                                         traces[i].path, traces[i].rank, steps_text(traces[i].steps),
                                         steps_text(common)));
    }
    common = std::move(both);
  }
  return *common.rbegin();
}

// The given ranks, when they are whole pipelines of the run by its named
// pipeline groups (each group wholly given or wholly not): one replica's
// traces read alone. Nothing when all ranks are given or they are not.
std::optional<std::vector<int>> whole_pipelines_given(const std::vector<ReducedTrace>& traces, int world) {
  if (static_cast<int>(traces.size()) >= world) return std::nullopt;
  std::set<int> given;
  for (const ReducedTrace& t : traces) given.insert(t.rank);
  std::set<int> covered;
  for (const ReducedTrace& t : traces) {
    for (const ProcessGroup& g : t.groups) {
      if (group_dimension(g) != "pp") continue;
      const auto in = std::count_if(g.ranks.begin(), g.ranks.end(), [&](int r) { return given.contains(r); });
      if (in != static_cast<std::ptrdiff_t>(g.ranks.size())) return std::nullopt;
      covered.insert(g.ranks.begin(), g.ranks.end());
    }
  }
  if (covered != given) return std::nullopt;
  return std::vector<int>(given.begin(), given.end());
}

// The zoo schedule whose program is exactly this one, if any.
std::string matching_schedule(const Program& program) {
  for (const ScheduleInfo& info : schedule_catalog()) {
    if (info.kind == ScheduleKind::Auto || info.placement != program.placement) continue;
    const int v = program.stages_per_rank();
    if (schedule_rule_broken(info.kind, program.ranks, program.microbatches, v)) continue;
    const Program zoo = build_program(info.kind, program.ranks, program.microbatches, v);
    if (zoo.per_rank == program.per_rank) return std::string(info.name);
  }
  return "";
}

// The order one pipeline's ranks ran, as PyTorch's CSV: its reader checks
// that it is a whole schedule (every pass once, each stage on one rank,
// loop or V placement). "" when it is, else why not.
std::string read_pipeline_order(const std::vector<detail::RankRecord>& records, const std::vector<int>& pipeline,
                                const MeasuredRun& run, Program& out) {
  std::string csv;
  for (std::size_t i = 0; i < pipeline.size(); ++i) {
    std::vector<std::string> cells;
    for (const MeasuredAction& a : records[static_cast<std::size_t>(pipeline[i])].actions) {
      const Action act = a.action.first.stage < 0 ? Action::single(a.action.op, static_cast<int>(i), a.action.first.microbatch)
                                                  : a.action;
      cells.push_back(to_string(act));
    }
    csv += fmt::format("{}\n", fmt::join(cells, ","));
  }
  try {
    out = parse_schedule_csv(csv).program;
  } catch (const CsvError& e) {
    const std::string what = run.labels == MeasuredLabels::Inferred
                                 ? "the compute found between sends and receives is not a whole schedule"
                                 : "the labels do not make a whole schedule";
    return fmt::format("{}: {} (as a CSV, one line a rank: {}){}", run.source, what, e.what(),
                       run.labels == MeasuredLabels::Inferred
                           ? "; label the step's actions with record_function(\"PP:0F3\") as newer PyTorch does"
                           : "");
  }
  if (out.ranks != static_cast<int>(pipeline.size())) {
    return fmt::format("{}: the labels name stages on {} ranks, but the run has {}", run.source, out.ranks, pipeline.size());
  }
  try {
    (void)simulate(out, Costs{});
  } catch (const Deadlock& e) {
    return fmt::format("{}: the labels' order can never run (they contradict each other): {}", run.source, e.what());
  }
  return "";
}

// Pipelines onto one clock: a collective cannot end on any of its ranks
// before it started on all of them, so each data-parallel pair of ranks'
// all-reduces bound the offset between their pipelines both ways. Inside
// that window the offset stays (hosts sharing a clock); outside it, the
// pipeline moves to its middle, as NTP centres a round trip.
void align_pipelines(const std::vector<detail::RankRecord>& records, const TraceMesh& mesh,
                     std::vector<std::int64_t>& shift, std::vector<std::int64_t>& residue,
                     std::vector<std::string>& notes) {
  const auto& base = mesh.pipelines.front();
  for (std::size_t k = 1; k < mesh.pipelines.size(); ++k) {
    const auto& other = mesh.pipelines[k];
    std::int64_t lo = INT64_MIN, hi = INT64_MAX;
    int pairs = 0;
    for (std::size_t p = 0; p < base.size() && p < other.size(); ++p) {
      const auto a = static_cast<std::size_t>(base[p]), b = static_cast<std::size_t>(other[p]);
      std::vector<const MeasuredCollective*> ca, cb;
      for (const auto& c : records[a].collectives) if (c.name == "all_reduce") ca.push_back(&c);
      for (const auto& c : records[b].collectives) if (c.name == "all_reduce") cb.push_back(&c);
      for (std::size_t i = 0; i < ca.size() && i < cb.size(); ++i, ++pairs) {
        lo = std::max(lo, ca[i]->start + shift[a] - (cb[i]->end + shift[b]));
        hi = std::min(hi, ca[i]->end + shift[a] - (cb[i]->start + shift[b]));
      }
    }
    if (pairs == 0 || (lo <= 0 && 0 <= hi)) continue;
    if (lo > hi) {
      notes.push_back(fmt::format("the all-reduces of ranks {} and {} contradict each other whatever the offset "
                                  "between their clocks: times are as the files have them",
                                  fmt::join(base, ","), fmt::join(other, ",")));
      continue;
    }
    const std::int64_t delta = lo + (hi - lo) / 2;
    for (int r : other) {
      shift[static_cast<std::size_t>(r)] += delta;
      residue[static_cast<std::size_t>(r)] = std::max(residue[static_cast<std::size_t>(r)], (hi - lo) / 2);
    }
    notes.push_back(fmt::format("the clocks of ranks {} moved {:+.1f} us against ranks {}'s: their all-reduces ended "
                                "before the replicas' had started; put in the middle of the window their {} "
                                "all-reduces leave, to within +-{:.1f} us",
                                fmt::join(other, ","), static_cast<double>(delta) / 1000, fmt::join(base, ","), pairs,
                                static_cast<double>(hi - lo) / 2000));
  }
}

}  // namespace

const char* labels_name(MeasuredLabels l) {
  switch (l) {
    case MeasuredLabels::Pipelining: return "PP: labels";
    case MeasuredLabels::GPipe: return "GPipe's Forward/Backward labels";
    case MeasuredLabels::Inferred: return "no labels";
  }
  return "";
}

std::shared_ptr<const MeasuredRun> load_measured_run(const std::vector<std::string>& paths, std::optional<int> step,
                                                     const TraceLimits& limits) {
  if (paths.empty()) throw MeasuredRunError("--measured: give a folder of per-rank traces or the traces themselves");
  auto run = std::make_shared<MeasuredRun>();
  run->source = paths.front();
  // Each file is reduced to its step before the next is read: memory holds
  // one file's events at a time, and the run's events are capped in all.
  std::vector<ReducedTrace> traces;
  std::size_t events = 0;
  for (const std::string& f : trace_files(paths)) {
    traces.push_back(reduce_trace(f, step, limits, events));
    events += traces.back().events;
  }
  // Ranks come from the traces, not their names.
  std::map<int, std::string> file_of_rank;
  for (const ReducedTrace& t : traces) {
    if (!t.distributed_problem.empty()) throw MeasuredRunError(t.path + ": " + t.distributed_problem);
    if (t.rank < 0 || t.world_size < 1) {
      throw MeasuredRunError(t.path + ": has no distributedInfo (rank, world_size): not a trace of a torch.distributed "
                                      "run (profile after init_process_group); it holds " + t.summary.text());
    }
    if (t.world_size != traces.front().world_size) {
      throw MeasuredRunError(fmt::format("{} says world_size {}, {} says {}: the traces are of different runs",
                                         traces.front().path, traces.front().world_size, t.path, t.world_size));
    }
    if (t.rank >= t.world_size) {
      throw MeasuredRunError(fmt::format("{}: is rank {} of world_size {}: a rank must be below the world size", t.path,
                                         t.rank, t.world_size));
    }
    const auto [it, fresh] = file_of_rank.emplace(t.rank, t.path);
    if (!fresh) {
      throw MeasuredRunError(fmt::format("{} and {} are both rank {} (distributedInfo): give each rank's trace once",
                                         it->second, t.path, t.rank));
    }
  }
  const int world = traces.front().world_size;
  if (world == 1) {
    throw MeasuredRunError(traces.front().path + ": is a run of one rank (world_size 1), with no pipeline to show; it "
                                                 "holds " + traces.front().summary.text());
  }
  // Some replicas' pipelines only: read those, if the traces' pipeline
  // groups say the given ranks are whole pipelines.
  const std::optional<std::vector<int>> pipelines_given = whole_pipelines_given(traces, world);
  if (static_cast<int>(traces.size()) != world && !pipelines_given) {
    std::vector<int> missing;
    for (int r = 0; r < world && missing.size() < 8; ++r) {
      if (!file_of_rank.contains(r)) missing.push_back(r);
    }
    // What was given, so that a run that is not a pipeline says what it is.
    const TraceSummary& given = traces.front().summary;
    throw MeasuredRunError(fmt::format("{}: has {} of the {} ranks' traces (world_size {}); missing: rank {}. {}{}",
                                       run->source, traces.size(), world, world, fmt::join(missing, ", rank "),
                                       given.pipeline_labels == 0 ? "Not a pipeline run: " : "Given: ",
                                       given.text()));
  }
  std::sort(traces.begin(), traces.end(), [](const ReducedTrace& a, const ReducedTrace& b) { return a.rank < b.rank; });

  const std::optional<int> chosen = choose_step(traces, step);
  run->step = chosen.value_or(0);
  if (!chosen) run->notes.push_back("the traces have no ProfilerStep#N marks: each file is read as one step");
  std::vector<detail::RankRecord> records;
  for (ReducedTrace& t : traces) {
    const int key = chosen.value_or(-1);
    if (!t.by_step.contains(key) && !t.errors_by_step.contains(key)) {
      t = reduce_trace(t.path, chosen, limits, 0);  // a step older than the ones kept: read the file again
    }
    if (const auto e = t.errors_by_step.find(key); e != t.errors_by_step.end()) throw MeasuredRunError(e->second);
    const auto found = t.by_step.find(key);
    if (found == t.by_step.end()) throw MeasuredRunError(t.path + ": changed while it was read");
    records.push_back(std::move(found->second));
    t.by_step.clear();
  }

  for (const auto& r : records) {
    if (r.labels != records.front().labels) {
      throw MeasuredRunError(fmt::format("the labels contradict each other: {} has {}, {} has {}", who(records.front()),
                                         labels_name(records.front().labels), who(r), labels_name(r.labels)));
    }
    if (r.actions.empty()) {
      throw MeasuredRunError(fmt::format("{}: ran no forward or backward in {}: a run with no pipeline?", who(r),
                                         chosen ? fmt::format("ProfilerStep#{}", *chosen) : "its trace"));
    }
  }
  run->labels = records.front().labels;
  run->gpu = std::any_of(records.begin(), records.end(), [](const auto& r) { return r.gpu; });

  // The mesh: which ranks make each pipeline. Every reading is checked by
  // reading its pipelines' orders, which must be whole and the same.
  const bool all_reduced = std::any_of(records.begin(), records.end(), [](const detail::RankRecord& r) {
    return std::any_of(r.collectives.begin(), r.collectives.end(), [](const auto& c) { return c.name == "all_reduce"; });
  });
  std::vector<std::vector<ProcessGroup>> groups_by_rank;
  for (const ReducedTrace& t : traces) groups_by_rank.push_back(t.groups);
  int ranks_read = world;
  if (pipelines_given && static_cast<int>(traces.size()) != world) {
    // Read as a run of the ranks given: groups renumbered to their places
    // among them (groups reaching a rank not given are dropped).
    std::map<int, int> local;
    for (std::size_t i = 0; i < traces.size(); ++i) local[traces[i].rank] = static_cast<int>(i);
    for (auto& groups : groups_by_rank) {
      std::vector<ProcessGroup> kept;
      for (ProcessGroup g : groups) {
        if (!std::all_of(g.ranks.begin(), g.ranks.end(), [&](int r) { return local.contains(r); })) continue;
        for (int& r : g.ranks) r = local[r];
        kept.push_back(std::move(g));
      }
      groups = std::move(kept);
    }
    ranks_read = static_cast<int>(traces.size());
    std::vector<int> missing;
    for (int r = 0; r < world; ++r) {
      if (!local.contains(r)) missing.push_back(r);
    }
    run->notes.push_back(fmt::format("{} of the run's {} ranks given, whole pipelines by its pipeline groups: read "
                                     "alone (not given: rank {})",
                                     traces.size(), world, fmt::join(missing, ", ")));
  }
  auto check = [&](const std::vector<std::vector<int>>& pipelines) -> std::string {
    if (pipelines.size() > 1 && !all_reduced) {
      return fmt::format("{}: no rank all-reduced gradients, so the ranks are not {} data-parallel replicas",
                         run->source, pipelines.size());
    }
    Program first;
    for (std::size_t k = 0; k < pipelines.size(); ++k) {
      Program program;
      const std::string why = read_pipeline_order(records, pipelines[k], *run, program);
      if (!why.empty()) {
        return pipelines.size() == 1 ? why : fmt::format("the pipeline of ranks {}: {}", fmt::join(pipelines[k], ","), why);
      }
      if (k == 0) {
        first = std::move(program);
      } else if (!(program.per_rank == first.per_rank)) {
        return fmt::format("the pipelines of ranks {} and {} ran different orders", fmt::join(pipelines[0], ","),
                           fmt::join(pipelines[k], ","));
      }
    }
    return "";
  };
  // Replicas run each all-reduce together: on every pair at the same place
  // in two pipelines, the k-th all-reduces overlap (on the files' clocks).
  auto together = [&](const std::vector<std::vector<int>>& pipelines) {
    auto all_reduces = [&](int r) {
      std::vector<const MeasuredCollective*> out;
      for (const auto& c : records[static_cast<std::size_t>(r)].collectives) {
        if (c.name == "all_reduce") out.push_back(&c);
      }
      return out;
    };
    for (std::size_t k = 1; k < pipelines.size(); ++k) {
      for (std::size_t p = 0; p < pipelines[0].size() && p < pipelines[k].size(); ++p) {
        const auto a = all_reduces(pipelines[0][p]), b = all_reduces(pipelines[k][p]);
        if (a.empty() || a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
          if (a[i]->end < b[i]->start || b[i]->end < a[i]->start) return false;
        }
      }
    }
    return true;
  };
  const TraceMesh mesh = read_trace_mesh(ranks_read, groups_by_rank, check, all_reduced ? ReplicasCheck(together) : nullptr);
  run->dp = mesh.dp;
  run->tp = mesh.tp;
  run->pipelines = static_cast<int>(mesh.pipelines.size());
  if (mesh.pipelines.size() > 1 || mesh.how != "one pipeline of every rank") {
    run->notes.push_back(fmt::format("the mesh, dp {} x pp {}{}, read {}", mesh.dp, mesh.pp,
                                     mesh.tp > 1 ? fmt::format(" x tp {}", mesh.tp) : "", mesh.how));
  }
  (void)read_pipeline_order(records, mesh.pipelines.front(), *run, run->program);
  run->matched_schedule = matching_schedule(run->program);
  if (run->labels == MeasuredLabels::Inferred && run->matched_schedule.empty()) {
    run->notes.push_back("the unlabelled order matches no built-in schedule for these pp and microbatches");
  }
  // Unlabelled actions take their stage from their place in the pipeline.
  for (const auto& pipeline : mesh.pipelines) {
    for (std::size_t i = 0; i < pipeline.size(); ++i) {
      for (MeasuredAction& a : records[static_cast<std::size_t>(pipeline[i])].actions) {
        if (a.action.first.stage < 0) a.action = Action::single(a.action.op, static_cast<int>(i), a.action.first.microbatch);
      }
    }
  }

  // One clock for all ranks, time 0 the first action's start: each
  // pipeline's ranks by their messages, then pipelines by their collectives.
  std::vector<std::int64_t> shift(records.size(), 0), residue(records.size(), 0);
  std::vector<int> against(records.size(), -1);
  bool centred = false;
  for (const auto& pipeline : mesh.pipelines) {
    std::vector<detail::RankRecord> in_pipeline;
    for (int r : pipeline) in_pipeline.push_back(records[static_cast<std::size_t>(r)]);
    for (std::size_t i = 0; i < pipeline.size(); ++i) in_pipeline[i].rank = static_cast<int>(i);
    const auto aligned = detail::align_clocks(in_pipeline, run->program);
    if (!aligned) {
      run->notes.push_back(fmt::format("the clocks of ranks {} disagree in a way no shift explains (some receive ends "
                                       "before its send starts whatever the shift): times are as the files have them",
                                       fmt::join(pipeline, ",")));
      continue;
    }
    centred = centred || aligned->centred;
    for (std::size_t i = 0; i < pipeline.size(); ++i) {
      const auto g = static_cast<std::size_t>(pipeline[i]);
      shift[g] = aligned->shift[i];
      residue[g] = aligned->centred ? aligned->residue[i] : 0;
      against[g] = aligned->against[i] >= 0 ? pipeline[static_cast<std::size_t>(aligned->against[i])] : -1;
    }
  }
  const std::vector<std::int64_t> inner = shift;  // within each pipeline, said per rank below
  align_pipelines(records, mesh, shift, residue, run->notes);
  std::int64_t t0 = INT64_MAX, t1 = INT64_MIN;
  for (std::size_t r = 0; r < records.size(); ++r) {
    t0 = std::min(t0, records[r].actions.front().start + shift[r]);
    for (const MeasuredAction& a : records[r].actions) t1 = std::max(t1, a.end + shift[r]);
    for (const MeasuredCollective& c : records[r].collectives) t1 = std::max(t1, c.end + shift[r]);
  }
  for (std::size_t k = 0; k < mesh.pipelines.size(); ++k) {
    for (std::size_t i = 0; i < mesh.pipelines[k].size(); ++i) {
      const auto r = static_cast<std::size_t>(mesh.pipelines[k][i]);
      detail::RankRecord& rec = records[r];
      MeasuredRank mr;
      mr.rank = rec.rank;
      mr.replica = mesh.replica_of[k];
      mr.tp_rank = mesh.tp_rank_of[k];
      mr.pp_rank = static_cast<int>(i);
      mr.file = rec.file;
      mr.clock_shift = shift[r];
      mr.clock_residue = residue[r];
      if (inner[r] != 0) {
        const int by = against[r];
        run->notes.push_back(
            centred && by >= 0
                ? fmt::format("rank {}'s clock moved {:+.1f} us against rank {}'s: its receives ended before the "
                              "matching sends started, or its passes before their inputs were made; put in the middle "
                              "of the window their messages both ways leave (as NTP centres a round trip), to within "
                              "+-{:.1f} us",
                              rec.rank, static_cast<double>(inner[r] - inner[static_cast<std::size_t>(by)]) / 1000, by,
                              static_cast<double>(residue[r]) / 1000)
                : fmt::format("rank {}'s clock moved {:+.1f} us: its receives ended before the matching sends "
                              "started, or its passes before their inputs were made (the least shift that makes them "
                              "causal)",
                              rec.rank, static_cast<double>(inner[r]) / 1000));
      }
      for (MeasuredAction a : rec.actions) {
        a.start += shift[r] - t0;
        a.end += shift[r] - t0;
        mr.busy += a.busy;  // the union of its compute: passes on one rank do not overlap
        mr.actions.push_back(a);
      }
      for (MeasuredComm c : rec.comms) {
        c.start += shift[r] - t0;
        c.end += shift[r] - t0;
        if (c.end <= 0 || c.start >= t1 - t0) continue;  // before the first action or after the last: not the step's
        c.start = std::max<std::int64_t>(c.start, 0);
        c.end = std::min(c.end, t1 - t0);
        mr.comms.push_back(c);
      }
      for (MeasuredCollective c : rec.collectives) {
        c.start += shift[r] - t0;
        c.end += shift[r] - t0;
        if (c.end <= 0) continue;
        c.start = std::max<std::int64_t>(c.start, 0);
        mr.collectives.push_back(std::move(c));
      }
      mr.operators = std::move(rec.operators);
      run->ranks.push_back(std::move(mr));
    }
  }
  run->makespan = t1 - t0;
  return run;
}

}  // namespace pipescope
