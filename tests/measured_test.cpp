// Measured runs read from real profiler traces (tests/data/measured), and
// from files derived from them here: shifted clocks, GPU kernels, broken sets.
// Expected figures come from the traces' own events, read with a DOM parser
// and simple rules, not from the reader under test.

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "pipescope/analysis/analysis.hpp"
#include "pipescope/analysis/why_slow.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/measured/measured_plan.hpp"
#include "pipescope/measured/measured_run.hpp"
#include "pipescope/schedule/zoo.hpp"
#include "measured_files.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

using nlohmann::json;
using testing::TempDir;

const std::string& kData = testing::kMeasuredData;
using testing::rank_file;
using testing::read_trace;

void write_trace(const std::string& path, const json& j) { std::ofstream(path) << j.dump(); }

// The events of one rank's ProfilerStep#1, on its thread, in time order.
struct StepEvents {
  double start = 0, end = 0;
  std::vector<json> events;
};
StepEvents step_events(const json& trace) {
  StepEvents s;
  json step;
  for (const json& e : trace["traceEvents"]) {
    if (e.value("name", "") == "ProfilerStep#1") step = e;
  }
  s.start = step["ts"].get<double>();
  s.end = s.start + step["dur"].get<double>();
  for (const json& e : trace["traceEvents"]) {
    if (e.value("ph", "") != "X" || e["tid"] != step["tid"] || e == step) continue;
    const double ts = e["ts"].get<double>();
    if (ts >= s.start && ts + e["dur"].get<double>() <= s.end) s.events.push_back(e);
  }
  std::sort(s.events.begin(), s.events.end(), [](const json& a, const json& b) { return a["ts"].get<double>() < b["ts"].get<double>(); });
  return s;
}

// The labels' order of a rank: "PP:0F3" as 0F3; "Forward 3" on rank r as rF3.
std::vector<std::string> labelled_order(const json& trace, int rank) {
  std::vector<std::string> out;
  const std::regex pp("PP:(\\d+[FIBW]\\d+)"), gpipe("(Forward|Backward) (\\d+)");
  std::smatch m;
  for (const json& e : step_events(trace).events) {
    const std::string name = e.value("name", "");
    if (std::regex_match(name, m, pp)) out.push_back(m[1]);
    if (std::regex_match(name, m, gpipe)) out.push_back(std::to_string(rank) + (m[1] == "Forward" ? "F" : "B") + std::string(m[2]));
  }
  return out;
}

bool is_comm(const std::string& n) { return n.starts_with("c10d::") || n.starts_with("gloo:"); }

// A rank's compute as the trace says it: its outermost operators outside
// communication (µs), and the first and last of them.
struct Compute {
  double busy = 0, first = 1e300, last = -1e300;
};
Compute compute_of(const json& trace) {
  Compute c;
  double covered_to = -1e300;
  for (const json& e : step_events(trace).events) {
    if (e.value("cat", "") != "cpu_op") continue;
    const double ts = e["ts"].get<double>(), end = ts + e["dur"].get<double>();
    if (ts < covered_to) continue;  // nested
    covered_to = end;
    const std::string name = e["name"];
    if (is_comm(name) || name == "aten::detach_" || name == "aten::tensor_split" || name == "aten::cat") continue;
    c.busy += end - ts;
    c.first = std::min(c.first, ts);
    c.last = std::max(c.last, end);
  }
  return c;
}

std::vector<std::string> order_of(const MeasuredRun& run, int rank) {
  std::vector<std::string> out;
  for (const MeasuredAction& a : run.ranks[static_cast<std::size_t>(rank)].actions) out.push_back(to_string(a.action));
  return out;
}

const char* kSets[] = {"gpipe-p4-m8", "1f1b-p4-m8", "interleaved-1f1b-p4-m8-v2", "interleaved-zb-p4-m8-v2"};

TEST(MeasuredRun, TheOrderIsTheLabelsOrPyTorchs1F1BWhereThereAreNone) {
  for (const char* set : kSets) {
    SCOPED_TRACE(set);
    const auto run = load_measured_run({kData + set});
    ASSERT_EQ(run->ranks.size(), 4u);
    EXPECT_EQ(run->step, 1);
    EXPECT_FALSE(run->gpu);
    for (int r = 0; r < 4; ++r) {
      if (std::string(set) == "1f1b-p4-m8") {
        EXPECT_EQ(run->labels, MeasuredLabels::Inferred);
        std::vector<std::string> pytorch;
        const Program zoo = build_program(ScheduleKind::OneFOneB, 4, 8, 1);
        for (const Action& a : zoo.per_rank[static_cast<std::size_t>(r)]) {
          pytorch.push_back(to_string(a));
        }
        EXPECT_EQ(order_of(*run, r), pytorch) << "rank " << r;
      } else {
        EXPECT_EQ(order_of(*run, r), labelled_order(read_trace(rank_file(set, r)), r)) << "rank " << r;
      }
    }
  }
}

TEST(MeasuredRun, NamesTheScheduleItEquals) {
  EXPECT_EQ(load_measured_run({kData + "gpipe-p4-m8"})->matched_schedule, "gpipe");
  EXPECT_EQ(load_measured_run({kData + "1f1b-p4-m8"})->matched_schedule, "1f1b");
  const auto i = load_measured_run({kData + "interleaved-1f1b-p4-m8-v2"});
  EXPECT_EQ(i->matched_schedule, "interleaved-1f1b");
  EXPECT_EQ(i->program.stages_per_rank(), 2);
  EXPECT_EQ(i->program.microbatches, 8);
  EXPECT_EQ(load_measured_run({kData + "interleaved-zb-p4-m8-v2"})->matched_schedule, "interleaved-zb");
}

TEST(MeasuredRun, BusyAndMakespanAreTheTracesWithinFivePercent) {
  for (const char* set : kSets) {
    SCOPED_TRACE(set);
    const auto run = load_measured_run({kData + set});
    double first = 1e300, last = -1e300;
    for (int r = 0; r < 4; ++r) {
      const Compute c = compute_of(read_trace(rank_file(set, r)));
      first = std::min(first, c.first);
      last = std::max(last, c.last);
      EXPECT_NEAR(static_cast<double>(run->ranks[static_cast<std::size_t>(r)].busy) / 1000, c.busy, 0.05 * c.busy) << "rank " << r;
    }
    EXPECT_NEAR(static_cast<double>(run->makespan) / 1000, last - first, 0.05 * (last - first));
  }
}

TEST(MeasuredRun, TheIdealIsNeverSlowerThanTheStepAsItRan) {
  for (const char* set : kSets) {
    SCOPED_TRACE(set);
    Params p;
    apply_measured_run(p, load_measured_run({kData + set}));
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const auto a = analyse(p);
    ASSERT_TRUE(a->measured);
    EXPECT_LE(a->plan.timing.makespan, a->measured->plan.timing.makespan);
    EXPECT_EQ(a->measured->plan.timing.makespan, p.measured->makespan);
    // The split accounts for every rank's idle time.
    for (const RankSplit& s : a->measured->split.ranks) {
      EXPECT_EQ(s.waiting_on_peers + s.comm_needed + s.comm_beyond + s.nothing + s.collective + s.drain, s.idle) << "rank " << s.rank;
      EXPECT_GE(s.nothing, 0);
      EXPECT_GE(s.comm_beyond, 0);
    }
  }
}

TEST(MeasuredRun, MedianCostsPerStageAndKind) {
  const auto run = load_measured_run({kData + "interleaved-zb-p4-m8-v2"});
  Params p;
  apply_measured_run(p, run);
  EXPECT_EQ(p.pp, 4);
  EXPECT_EQ(p.microbatches, 8);
  EXPECT_EQ(p.dp, 1);
  ASSERT_EQ(p.time_f.size(), 8u);
  // Stage 5's forwards: the median of its eight, by hand.
  std::vector<double> f5;
  for (const MeasuredAction& a : run->ranks[1].actions) {
    if (a.action.op == Op::F && a.action.first.stage == 5) f5.push_back(static_cast<double>(a.end - a.start) / 1000);
  }
  ASSERT_EQ(f5.size(), 8u);
  std::sort(f5.begin(), f5.end());
  EXPECT_NEAR(p.time_f[5], (f5[3] + f5[4]) / 2, 1e-3);
}

// Shifted copies of a set: rank `shifted`'s timestamps moved by `ts_us`, its
// baseTimeNanoseconds by `base_ns`.
std::string shifted_set(const TempDir& dir, const std::string& set, int shifted, double ts_us, std::int64_t base_ns) {
  for (int r = 0; r < 4; ++r) {
    json t = read_trace(rank_file(set, r));
    if (r == shifted) {
      for (json& e : t["traceEvents"]) {
        if (e.contains("ts")) e["ts"] = e["ts"].get<double>() + ts_us;
      }
      t["baseTimeNanoseconds"] = t["baseTimeNanoseconds"].get<std::int64_t>() + base_ns;
    }
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  return dir.path().string();
}

TEST(MeasuredRun, BaseTimeNanosecondsPutsEachFileOnItsHostsClock) {
  const TempDir dir("measured_base");
  // Rank 2's trace counts from 70 ms later, and says so in its base time.
  const auto run = load_measured_run({shifted_set(dir, "1f1b-p4-m8", 2, -70'000, 70'000'000)});
  const auto plain = load_measured_run({kData + "1f1b-p4-m8"});
  EXPECT_EQ(run->ranks[2].clock_shift, 0);
  EXPECT_NEAR(static_cast<double>(run->makespan), static_cast<double>(plain->makespan), 2000);
  EXPECT_NEAR(static_cast<double>(run->ranks[2].actions[3].start), static_cast<double>(plain->ranks[2].actions[3].start), 2000);
}

TEST(MeasuredRun, ClocksThatDisagreeAreShiftedUntilNoReceiveEndsBeforeItsSend) {
  for (const double skew_us : {-80'000.0, 60'000.0}) {
    SCOPED_TRACE(skew_us);
    const TempDir dir("measured_skew");
    // Rank 1's host clock is off by 80 ms (or 60 ms the other way): nothing says so.
    const auto run = load_measured_run({shifted_set(dir, "1f1b-p4-m8", 1, skew_us, 0)});
    const auto plain = load_measured_run({kData + "1f1b-p4-m8"});
    EXPECT_FALSE(run->notes.empty());
    // Every pass starts after its input from another rank was made.
    std::map<std::tuple<int, int, char>, std::int64_t> end_of;
    for (const MeasuredRank& r : run->ranks) {
      for (const MeasuredAction& a : r.actions) end_of[{a.action.first.stage, a.action.first.microbatch, op_letter(a.action.op)}] = a.end;
    }
    for (const MeasuredRank& r : run->ranks) {
      for (const MeasuredAction& a : r.actions) {
        const Step& s = a.action.first;
        const std::int64_t input = s.op == Op::F && s.stage > 0   ? end_of[{s.stage - 1, s.microbatch, 'F'}]
                                   : s.op == Op::B && s.stage < 3 ? end_of[{s.stage + 1, s.microbatch, 'B'}]
                                                                  : 0;
        EXPECT_GE(a.start, input) << to_string(a.action);
      }
    }
    // Rank 1 moves against its neighbour by no more than the skew (the least
    // shift that makes every receive causal), and in the right direction.
    const double moved = static_cast<double>(run->ranks[1].clock_shift - run->ranks[0].clock_shift);
    EXPECT_GT(-moved * skew_us, 0);
    EXPECT_LE(std::abs(moved), std::abs(skew_us) * 1000 * 1.001);
    EXPECT_NEAR(static_cast<double>(run->makespan), static_cast<double>(plain->makespan), 0.1 * static_cast<double>(plain->makespan));
  }
}

// A host a whole second off (or 80 ms the other way) lands in the middle of
// the window its messages both ways leave, as NTP centres a round trip: within
// a transfer's time of the truth, not at the edge where one receive ends just
// as its send starts. The note says by how much it may still be off.
TEST(MeasuredRun, AShiftedHostLandsWithinATransferOfTheTruth) {
  const auto plain = load_measured_run({kData + "1f1b-p4-m8"});
  for (const auto& [rank, skew_us] : std::vector<std::pair<int, double>>{{1, 1e6}, {2, -80'000.0}, {3, -1e6}}) {
    SCOPED_TRACE(::testing::Message() << "rank " << rank << " off by " << skew_us << " us");
    const TempDir dir("measured_ntp");
    const auto run = load_measured_run({shifted_set(dir, "1f1b-p4-m8", rank, skew_us, 0)});
    // The truth: the shift that undoes the skew, relative to the ranks left alone.
    const double truth = -skew_us * 1000;
    const double moved = static_cast<double>(run->ranks[static_cast<std::size_t>(rank)].clock_shift -
                                             run->ranks[rank == 0 ? 1 : 0].clock_shift);
    // Within the residue it states (timestamps are whole microseconds: 10 us of slack)...
    const auto residue = static_cast<double>(run->ranks[static_cast<std::size_t>(rank)].clock_residue);
    EXPECT_GT(residue, 0);
    EXPECT_LE(std::abs(moved - truth), residue + 10'000) << "moved " << moved << " ns, truth " << truth;
    // ...which is within a transfer: the median send or receive between the ranks.
    std::vector<std::int64_t> transfers;
    for (const MeasuredRank& r : plain->ranks) {
      for (const MeasuredComm& c : r.comms) transfers.push_back(c.end - c.start);
    }
    std::nth_element(transfers.begin(), transfers.begin() + static_cast<std::ptrdiff_t>(transfers.size() / 2), transfers.end());
    const auto median_transfer = static_cast<double>(transfers[transfers.size() / 2]);
    EXPECT_LE(std::abs(moved - truth), median_transfer) << "moved " << moved << " ns, truth " << truth;
    std::string note;
    for (const std::string& n : run->notes) {
      if (n.find("rank " + std::to_string(rank) + "'s clock moved") != std::string::npos) note = n;
    }
    EXPECT_NE(note.find("as NTP centres a round trip), to within +-"), std::string::npos) << note;
    std::printf("rank %d off by %.0f us: %.1f us from the truth, residue +-%.1f us (median transfer %.1f us)\n", rank,
                skew_us, (moved - truth) / 1000, residue / 1000, median_transfer / 1000);
  }
}

// A GPU trace derived from a CPU one: each label's twin on the GPU's
// timeline (gpu_user_annotation) 300 µs later and 20 % shorter, as a GPU
// running behind its launches shows it.
TEST(MeasuredRun, OnGpusAPassIsItsTimeOnTheGpuNotTheCpus) {
  const TempDir dir("measured_gpu");
  for (int r = 0; r < 4; ++r) {
    json t = read_trace(rank_file("interleaved-zb-p4-m8-v2", r));
    json extra = json::array();
    for (const json& e : t["traceEvents"]) {
      if (e.value("cat", "") == "user_annotation" && e["name"].get<std::string>().starts_with("PP:")) {
        json g = e;
        g["cat"] = "gpu_user_annotation";
        g["tid"] = 7;
        g["ts"] = e["ts"].get<double>() + 300;
        g["dur"] = e["dur"].get<double>() * 0.8;
        extra.push_back(g);
      }
    }
    for (json& g : extra) t["traceEvents"].push_back(g);
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  const auto gpu = load_measured_run({dir.path().string()});
  const auto cpu = load_measured_run({kData + "interleaved-zb-p4-m8-v2"});
  EXPECT_TRUE(gpu->gpu);
  EXPECT_EQ(gpu->program.per_rank, cpu->program.per_rank);
  for (std::size_t r = 0; r < 4; ++r) {
    // Rank 0's labels wrap only compute: its GPU twin is 80 % of the label.
    const json t = read_trace(rank_file("interleaved-zb-p4-m8-v2", static_cast<int>(r)));
    double label_total = 0;
    for (const json& e : step_events(t).events) {
      if (e.value("cat", "") == "user_annotation" && e["name"].get<std::string>().starts_with("PP:")) label_total += e["dur"].get<double>();
    }
    EXPECT_NEAR(static_cast<double>(gpu->ranks[r].busy) / 1000, 0.8 * label_total, 0.01 * label_total) << "rank " << r;
  }
}

// Kernels by correlation: each forward's operators launch one kernel that
// runs 500 µs after the launch for half the operator's time.
TEST(MeasuredRun, KernelsCountThroughTheirLaunchesCorrelation) {
  const TempDir dir("measured_kernels");
  for (int r = 0; r < 4; ++r) {
    json t = read_trace(rank_file("1f1b-p4-m8", r));
    json extra = json::array();
    int id = 1;
    for (const json& e : t["traceEvents"]) {
      if (e.value("cat", "") != "cpu_op" || e.value("name", "") != "aten::linear") continue;
      json launch = {{"ph", "X"}, {"cat", "cuda_runtime"}, {"name", "cudaLaunchKernel"}, {"pid", e["pid"]}, {"tid", e["tid"]},
                     {"ts", e["ts"].get<double>() + 1}, {"dur", 1.0}, {"args", {{"correlation", id}}}};
      json kernel = {{"ph", "X"}, {"cat", "kernel"}, {"name", "sm90_xmma_gemm"}, {"pid", 0}, {"tid", 7},
                     {"ts", e["ts"].get<double>() + 500}, {"dur", e["dur"].get<double>() / 2}, {"args", {{"correlation", id}}}};
      extra.push_back(launch);
      extra.push_back(kernel);
      ++id;
    }
    for (json& g : extra) t["traceEvents"].push_back(g);
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  const auto gpu = load_measured_run({dir.path().string()});
  const auto cpu = load_measured_run({kData + "1f1b-p4-m8"});
  EXPECT_TRUE(gpu->gpu);
  EXPECT_EQ(gpu->matched_schedule, "1f1b");
  // A forward starts at its first kernel: 500 µs after its first linear's launch.
  const MeasuredAction& f_gpu = gpu->ranks[0].actions[1];
  const MeasuredAction& f_cpu = cpu->ranks[0].actions[1];
  EXPECT_NEAR(static_cast<double>(f_gpu.start - gpu->ranks[0].actions[0].start),
              static_cast<double>(f_cpu.start - cpu->ranks[0].actions[0].start), 5000);
  EXPECT_LT(gpu->ranks[0].busy, cpu->ranks[0].busy);
}

// What a user hands us that is not a whole run: one line naming the file
// and what is wrong.
std::string error_of(const std::vector<std::string>& paths) {
  try {
    load_measured_run(paths);
  } catch (const MeasuredRunError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(MeasuredRunErrors, RanksMissingOrTwice) {
  const std::string d = kData + "gpipe-p4-m8/";
  EXPECT_NE(error_of({d + "rank0.json.gz", d + "rank1.json.gz", d + "rank3.json.gz"}).find("missing: rank 2"), std::string::npos);
  const std::string twice = error_of({d + "rank0.json.gz", d + "rank1.json.gz", d + "rank1.json.gz", d + "rank3.json.gz"});
  EXPECT_NE(twice.find("are both rank 1"), std::string::npos) << twice;
}

TEST(MeasuredRunErrors, NotATraceTruncatedOrEmpty) {
  const TempDir dir("measured_bad");
  std::ofstream(dir / "text.json") << "hello";
  EXPECT_NE(error_of({dir / "text.json"}).find("text.json: is not a PyTorch profiler trace"), std::string::npos);
  std::ofstream(dir / "empty.json") << "";
  EXPECT_NE(error_of({dir / "empty.json"}).find("is empty"), std::string::npos);
  std::ofstream(dir / "array.json") << "[1, 2]";
  EXPECT_NE(error_of({dir / "array.json"}).find("not a PyTorch profiler trace"), std::string::npos);
  std::ofstream(dir / "other.json") << R"({"a": 1})";
  EXPECT_NE(error_of({dir / "other.json"}).find("has no traceEvents"), std::string::npos);
  // A trace cut in half, gzipped and not.
  const json t = read_trace(rank_file("gpipe-p4-m8", 0));
  const std::string text = t.dump();
  std::ofstream(dir / "half.json") << text.substr(0, text.size() / 2);
  EXPECT_NE(error_of({dir / "half.json"}).find("ends early"), std::string::npos);
  std::ifstream gz(rank_file("gpipe-p4-m8", 0), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(gz)), {});
  std::ofstream(dir / "half.json.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_NE(error_of({dir / "half.json.gz"}).find("truncated"), std::string::npos);
  EXPECT_NE(error_of({dir / "nowhere"}).find("does not exist"), std::string::npos);
  EXPECT_NE(error_of({dir.path().string() + "/empty_dir_that_is_not"}).find("does not exist"), std::string::npos);
  std::filesystem::create_directories(dir / "none");
  EXPECT_NE(error_of({dir / "none"}).find("holds no profiler traces"), std::string::npos);
}

TEST(MeasuredRunErrors, NoPipelineNoDistributedInfoStepsMissing) {
  const TempDir dir("measured_shapes");
  json t = read_trace(rank_file("gpipe-p4-m8", 0));
  json solo = t;
  solo["distributedInfo"]["world_size"] = 1;
  write_trace(dir / "solo.json", solo);
  EXPECT_NE(error_of({dir / "solo.json"}).find("world_size 1"), std::string::npos);
  json anon = t;
  anon.erase("distributedInfo");
  write_trace(dir / "anon.json", anon);
  EXPECT_NE(error_of({dir / "anon.json"}).find("has no distributedInfo"), std::string::npos);
  // Rank 3 recorded step 2, the others step 1.
  const TempDir set("measured_steps");
  for (int r = 0; r < 4; ++r) {
    json x = read_trace(rank_file("gpipe-p4-m8", r));
    if (r == 3) {
      for (json& e : x["traceEvents"]) {
        if (e.value("name", "") == "ProfilerStep#1") e["name"] = "ProfilerStep#2";
      }
    }
    write_trace(set / ("rank" + std::to_string(r) + ".json"), x);
  }
  const std::string steps = error_of({set.path().string()});
  EXPECT_NE(steps.find("no step every rank recorded"), std::string::npos) << steps;
  try {
    load_measured_run({set.path().string()}, 2);
    ADD_FAILURE();
  } catch (const MeasuredRunError& e) {
    EXPECT_NE(std::string(e.what()).find("has no ProfilerStep#2 (it has #1)"), std::string::npos) << e.what();
  }
}

TEST(MeasuredRunErrors, LabelsThatContradictEachOther) {
  // Rank 2 labelled its forward of microbatch 3 as microbatch 2: 2F2 twice, 2F3 never.
  const TempDir dir("measured_labels");
  for (int r = 0; r < 4; ++r) {
    json x = read_trace(rank_file("interleaved-zb-p4-m8-v2", r));
    if (r == 2) {
      for (json& e : x["traceEvents"]) {
        if (e.value("name", "") == "PP:2F3") e["name"] = "PP:2F2";
      }
    }
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), x);
  }
  const std::string twice = error_of({dir.path().string()});
  EXPECT_NE(twice.find("the labels do not make a whole schedule"), std::string::npos) << twice;
  // One rank with labels, the others without.
  const TempDir mixed("measured_mixed");
  for (int r = 0; r < 4; ++r) {
    const std::string set = r == 0 ? "interleaved-zb-p4-m8-v2" : "1f1b-p4-m8";
    write_trace(mixed / ("rank" + std::to_string(r) + ".json"), read_trace(rank_file(set, r)));
  }
  const std::string m = error_of({mixed.path().string()});
  EXPECT_NE(m.find("contradict"), std::string::npos) << m;
}


// Data x pipeline parallel runs (shared/real-traces' launch.sh with dp=N):
// ranks laid out pp outermost, global rank = pp_rank * dp + dp_rank, DDP over
// each stage's replicas. What each set is, by how it was made:
struct MeshSet {
  const char* set;
  int dp, pp, microbatches, chunks;
  const char* schedule;
  int slow_rank;  // heavy=R:F made it F times the work; -1: none
};
const MeshSet kMeshSets[] = {
    {"dp2-1f1b-p4-m8", 2, 4, 8, 1, "1f1b", -1},
    {"dp2-izb-p2-m8-v2", 2, 2, 8, 2, "interleaved-zb", -1},
    {"dp2-gpipe-p3-m6-rank3-heavy", 2, 3, 6, 1, "gpipe", 3},
    {"dp2-1f1b-p2-m8", 2, 2, 8, 1, "1f1b", -1},
    {"dp2-gpipe-p3-m6", 2, 3, 6, 1, "gpipe", -1},
    {"dp4-gpipe-p2-m4", 4, 2, 4, 1, "gpipe", -1},
    {"dp2-i1f1b-p4-m8-v2", 2, 4, 8, 2, "interleaved-1f1b", -1},
    {"dp2-1f1b-p4-m8-rank5-heavy3", 2, 4, 8, 1, "1f1b", 5},
};

std::string mesh_file(const MeshSet& m, int r) { return rank_file(m.set, r); }

TEST(MeasuredMesh, ReplicasAndStageRanksFromTheProcessGroups) {
  for (const MeshSet& m : kMeshSets) {
    SCOPED_TRACE(m.set);
    const auto run = load_measured_run({kData + m.set});
    EXPECT_EQ(run->dp, m.dp);
    EXPECT_EQ(run->tp, 1);
    EXPECT_EQ(run->pipelines, m.dp);
    EXPECT_EQ(run->program.ranks, m.pp);
    EXPECT_EQ(run->program.microbatches, m.microbatches);
    EXPECT_EQ(run->program.stages_per_rank(), m.chunks);
    EXPECT_EQ(run->matched_schedule, m.schedule);
    ASSERT_EQ(run->ranks.size(), static_cast<std::size_t>(m.dp * m.pp));
    std::set<int> seen;
    for (const MeasuredRank& r : run->ranks) {
      EXPECT_EQ(r.rank, r.pp_rank * m.dp + r.replica) << "rank " << r.rank;
      EXPECT_EQ(r.tp_rank, 0);
      seen.insert(r.rank);
    }
    EXPECT_EQ(seen.size(), run->ranks.size());
    // Every replica ran the schedule's order: a labelled rank's as its labels say.
    if (std::string(m.schedule) != "1f1b") {
      for (const MeasuredRank& r : run->ranks) {
        std::vector<std::string> order;
        for (const MeasuredAction& a : r.actions) order.push_back(to_string(a.action));
        EXPECT_EQ(order, labelled_order(read_trace(mesh_file(m, r.rank)), r.pp_rank)) << "rank " << r.rank;
      }
    }
    bool said = false;
    for (const std::string& n : run->notes) said = said || n.find("read from the process groups' names (mesh_pp, mesh_dp)") != std::string::npos;
    EXPECT_TRUE(said);
  }
}

// Busy: each rank's outermost operators outside communication (the DDP
// annotation wraps its forward; counted by hand from the file). The step:
// the first compute to the last compute or gloo:all_reduce anywhere.
TEST(MeasuredMesh, BusyAndMakespanAreTheTracesWithinFivePercent) {
  for (const MeshSet& m : kMeshSets) {
    SCOPED_TRACE(m.set);
    const auto run = load_measured_run({kData + m.set});
    double first = 1e300, last = -1e300;
    for (const MeasuredRank& r : run->ranks) {
      const json trace = read_trace(mesh_file(m, r.rank));
      const Compute c = compute_of(trace);
      first = std::min(first, c.first);
      last = std::max(last, c.last);
      const StepEvents step = step_events(trace);
      for (const json& e : trace["traceEvents"]) {
        if (e.value("name", "") != "gloo:all_reduce") continue;
        const double ts = e["ts"].get<double>();
        if (ts >= step.start && ts < step.end) last = std::max(last, ts + e["dur"].get<double>());
      }
      EXPECT_NEAR(static_cast<double>(r.busy) / 1000, c.busy, 0.05 * c.busy) << "rank " << r.rank;
    }
    EXPECT_NEAR(static_cast<double>(run->makespan) / 1000, last - first, 0.05 * (last - first));
  }
}

TEST(MeasuredMesh, TheIdealOnTheSameMeshIsNoSlower) {
  for (const MeshSet& m : kMeshSets) {
    SCOPED_TRACE(m.set);
    Params p;
    apply_measured_run(p, load_measured_run({kData + m.set}));
    EXPECT_EQ(p.dp, m.dp);
    EXPECT_EQ(p.pp, m.pp);
    ASSERT_TRUE(p.time_allreduce.has_value());  // the ideal's exchange is the run's all-reduce
    EXPECT_GT(*p.time_allreduce, 0);
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const auto a = analyse(p);
    ASSERT_TRUE(a->measured);
    EXPECT_FALSE(a->plan.timing.exchanges.empty());
    EXPECT_LE(a->plan.timing.makespan, p.measured->makespan);
    EXPECT_EQ(a->measured->split.ranks.size(), static_cast<std::size_t>(m.dp * m.pp));
    for (const RankSplit& s : a->measured->split.ranks) {
      EXPECT_EQ(s.waiting_on_peers + s.comm_needed + s.comm_beyond + s.nothing + s.collective + s.drain, s.idle)
          << "rank " << s.rank;
    }
    // The lanes show every rank of every replica, labelled by both.
    ASSERT_EQ(a->measured->lanes.size(), static_cast<std::size_t>(m.dp * m.pp));
    for (const Lane& lane : a->measured->lanes) EXPECT_NE(lane.label.find("replica"), std::string::npos) << lane.label;
  }
}

// The scene replays each replica as it ran: a replica's first forward lights
// its first matmul at its own start, not replica 0's.
TEST(MeasuredMesh, TheSceneReplaysEachReplicaAsItRan) {
  const MeshSet& m = kMeshSets[2];  // dp 2 x pp 3 GPipe
  Params p;
  apply_measured_run(p, load_measured_run({kData + m.set}));
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const Scene scene(p);
  const SchedulePlan plan = measured_plan(p);
  ASSERT_EQ(plan.replica_timing.size(), 2u);
  std::vector<std::int64_t> first_lit;
  for (int r = 0; r < 2; ++r) {
    const ObjectIndex flop = scene.layout().flop1(r, 0, 0);
    Playhead ph(scene.timeline());
    std::int64_t lit = -1;
    do {
      if (ph.state(flop) == VisualState::Lit) lit = ph.frame();
    } while (lit < 0 && ph.step_forward());
    // Its pipeline's stage-0 rank's first forward (microbatch 0).
    const MeasuredRank& first = p.measured->ranks[static_cast<std::size_t>(r * m.pp)];
    ASSERT_EQ(first.replica, r);
    EXPECT_NEAR(static_cast<double>(lit), static_cast<double>(plan.frame_of(first.actions.front().start)), 1.0) << "replica " << r;
    first_lit.push_back(lit);
  }
  EXPECT_NE(first_lit[0], first_lit[1]) << "the replicas started apart";
}

// The rank made heavier is named, with its factor, and why: its compute
// (matrix products) beyond its replicas', not the network. Runs with no slow
// rank name none.
TEST(MeasuredMesh, TheSlowRankIsNamedAndOnlyWhereThereIsOne) {
  int clean = 0;
  for (const MeshSet& m : kMeshSets) {
    SCOPED_TRACE(m.set);
    Params p;
    apply_measured_run(p, load_measured_run({kData + m.set}));
    const auto a = analyse(p);
    const MeasuredSplit& s = a->measured->split;
    EXPECT_TRUE(s.per_pass);
    EXPECT_EQ(s.straggler, m.slow_rank);
    if (m.slow_rank < 0) {
      ++clean;
      continue;
    }
    EXPECT_GE(s.straggler_ratio, 1.5);
    EXPECT_GT(s.straggler_ratio, s.peers_q3);
    ASSERT_FALSE(s.excess_operators.empty());
    EXPECT_EQ(s.excess_operators.front().name, "aten::mm");  // the extra width is plain matrix products
    EXPECT_GT(s.excess_operators.front().mine, 2 * s.excess_operators.front().peers);
    EXPECT_GT(s.compute_excess, 0);
    const std::string why = why_slow(*p.measured, s);
    EXPECT_NE(why.find("aten::mm"), std::string::npos) << why;
    EXPECT_NE(why.find("CPU contention or a slower device"), std::string::npos) << why;
  }
  EXPECT_EQ(clean, 6);
}

// Replica 1's host a second off: its pipeline's sends agree with themselves,
// so only the all-reduces between replicas can place it. It lands within the
// window they leave, and within an all-reduce's time of the truth.
TEST(MeasuredMesh, AReplicaOnAShiftedHostLandsWithinAnAllReduceOfTheTruth) {
  const MeshSet& m = kMeshSets[0];
  const auto plain = load_measured_run({kData + m.set});
  const TempDir dir("measured_mesh_clock");
  for (int r = 0; r < m.dp * m.pp; ++r) {
    json t = read_trace(mesh_file(m, r));
    if (r % m.dp == 1) t["baseTimeNanoseconds"] = t["baseTimeNanoseconds"].get<std::int64_t>() + 1'000'000'000;
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  const auto run = load_measured_run({dir.path().string()});
  const MeasuredRank& moved = run->ranks[static_cast<std::size_t>(m.pp)];  // replica 1's first rank
  ASSERT_EQ(moved.replica, 1);
  const double off = static_cast<double>(moved.clock_shift - run->ranks[0].clock_shift) + 1e9;
  EXPECT_LE(std::abs(off), static_cast<double>(moved.clock_residue) + 10'000);
  std::vector<std::int64_t> all_reduces;
  for (const MeasuredRank& r : plain->ranks) {
    for (const MeasuredCollective& c : r.collectives) all_reduces.push_back(c.end - c.start);
  }
  std::sort(all_reduces.begin(), all_reduces.end());
  EXPECT_LE(std::abs(off), static_cast<double>(all_reduces[all_reduces.size() / 2]));
  EXPECT_NEAR(static_cast<double>(run->makespan), static_cast<double>(plain->makespan), 0.05 * static_cast<double>(plain->makespan));
  bool said = false;
  for (const std::string& n : run->notes) said = said || n.find("all-reduces leave, to within +-") != std::string::npos;
  EXPECT_TRUE(said);
  std::printf("replica 1 off by 1 s: %.1f us from the truth, residue +-%.1f us\n", off / 1000,
              static_cast<double>(moved.clock_residue) / 1000);
}

// Without process groups in the traces, a run that all-reduces is read by
// Megatron's rank order (pp outermost); GPipe's labels carry no stage, so
// read as one pipeline it would pass as 6 stages.
TEST(MeasuredMesh, WithoutGroupsTheRankOrderReadsTheMeshAndSaysSo) {
  const MeshSet& m = kMeshSets[4];  // dp 2 x pp 3 GPipe
  const TempDir dir("measured_mesh_nogroups");
  for (int r = 0; r < m.dp * m.pp; ++r) {
    json t = read_trace(mesh_file(m, r));
    t["distributedInfo"].erase("pg_config");
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  const auto run = load_measured_run({dir.path().string()});
  EXPECT_EQ(run->dp, 2);
  EXPECT_EQ(run->program.ranks, 3);
  bool said = false;
  for (const std::string& n : run->notes) said = said || n.find("Megatron's and torchtitan's rank order") != std::string::npos;
  EXPECT_TRUE(said);
}

// Tensor-parallel groups (DeviceMesh's "mesh_tp"): each stage rank's tp
// ranks run its passes together; each is read as a pipeline of its own and
// carries its tp rank. (Derived: the dp groups of a dp 2 x pp 2 run renamed.)
TEST(MeasuredMesh, TensorParallelGroupsGiveEachRankItsTpRank) {
  const MeshSet& m = kMeshSets[3];
  const TempDir dir("measured_mesh_tp");
  for (int r = 0; r < m.dp * m.pp; ++r) {
    json t = read_trace(mesh_file(m, r));
    for (json& g : t["distributedInfo"]["pg_config"]) {
      if (g["pg_desc"] == "mesh_dp") g["pg_desc"] = "mesh_tp";
    }
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  const auto run = load_measured_run({dir.path().string()});
  EXPECT_EQ(run->tp, 2);
  EXPECT_EQ(run->dp, 1);
  EXPECT_EQ(run->program.ranks, 2);
  for (const MeasuredRank& r : run->ranks) EXPECT_EQ(r.tp_rank, r.rank % 2) << "rank " << r.rank;
}

// One replica's files alone (ranks 1, 3, 5, 7 of a dp 2 x pp 4 run): its
// pipeline group says they are a whole pipeline, so it is read, and said.
TEST(MeasuredMesh, OneReplicasFilesAreReadAsItsPipeline) {
  const MeshSet& m = kMeshSets[0];
  std::vector<std::string> files;
  for (int r = 1; r < m.dp * m.pp; r += 2) files.push_back(mesh_file(m, r));
  const auto run = load_measured_run(files);
  EXPECT_EQ(run->program.ranks, 4);
  EXPECT_EQ(run->pipelines, 1);
  ASSERT_EQ(run->ranks.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(run->ranks[i].rank, static_cast<int>(2 * i + 1));
  bool said = false;
  for (const std::string& n : run->notes) said = said || n.find("4 of the run's 8 ranks given") != std::string::npos;
  EXPECT_TRUE(said);
  // Ranks that are not whole pipelines are still refused as missing.
  try {
    (void)load_measured_run({mesh_file(m, 0), mesh_file(m, 1)});
    ADD_FAILURE() << "two ranks of different pipelines were read";
  } catch (const MeasuredRunError& e) {
    EXPECT_NE(std::string(e.what()).find("missing: rank 2"), std::string::npos) << e.what();
  }
}

TEST(MeasuredMesh, GroupsPipescopeCannotReadAreRefusedByName) {
  const MeshSet& m = kMeshSets[3];  // dp 2 x pp 2
  const TempDir dir("measured_mesh_cp");
  for (int r = 0; r < m.dp * m.pp; ++r) {
    json t = read_trace(mesh_file(m, r));
    for (json& g : t["distributedInfo"]["pg_config"]) {
      if (g["pg_desc"] == "mesh_dp") g["pg_desc"] = "mesh_cp";
    }
    write_trace(dir / ("rank" + std::to_string(r) + ".json"), t);
  }
  try {
    (void)load_measured_run({dir.path().string()});
    ADD_FAILURE() << "a context-parallel run was read";
  } catch (const MeasuredRunError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("context-parallel groups (mesh_cp"), std::string::npos) << what;
    EXPECT_NE(what.find("mesh_pp [0,2]"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace pipescope
