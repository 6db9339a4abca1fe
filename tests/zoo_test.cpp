// The schedule zoo as data: PyTorch's own orders, and the properties every
// schedule must have over p in {2,3,4,8}, m in {p, p+1, 2p, 3p+1}, v in {2,3}
// where the schedule allows them.
#include <gtest/gtest.h>

#include "test_files.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "pipescope/schedule/zoo.hpp"

namespace {

using namespace pipescope;

using pipescope::testing::read_file;

// PyTorch writes idle slots as empty cells; our programs have none.
std::string without_empty_cells(const std::string& csv) {
  std::string out;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string row, cell;
    // Split at commas outside parentheses: "(0F7;7B3)OVERLAP_F_B" is one cell.
    int depth = 0;
    auto flush = [&] {
      if (!cell.empty()) row += (row.empty() ? "" : ",") + cell;
      cell.clear();
    };
    for (char c : line) {
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        flush();
      } else {
        cell += c;
      }
    }
    flush();
    out += row + "\n";
  }
  return out;
}

struct PyTorchFile {
  ScheduleKind kind;
  const char* file;
  int v;
};

class PyTorchOrder : public ::testing::TestWithParam<PyTorchFile> {};

TEST_P(PyTorchOrder, CsvEqualsPyTorchsCellForCell) {
  const auto& f = GetParam();
  const std::string expected = read_file(std::string(PIPESCOPE_TEST_DATA "/pytorch-schedules/") + f.file);
  ASSERT_FALSE(expected.empty()) << f.file;
  EXPECT_EQ(to_csv(build_program(f.kind, 4, 8, f.v)), without_empty_cells(expected));
}

INSTANTIATE_TEST_SUITE_P(
    Files, PyTorchOrder,
    ::testing::Values(PyTorchFile{ScheduleKind::GPipe, "GPipe-p4-m8.compute_only.csv", 1},
                      PyTorchFile{ScheduleKind::OneFOneB, "1F1B-p4-m8.compute_only.csv", 1},
                      PyTorchFile{ScheduleKind::Interleaved1F1B, "Interleaved1F1B-p4-m8-v2.compute_only.csv", 2},
                      PyTorchFile{ScheduleKind::LoopedBFS, "LoopedBFS-p4-m8-v2.compute_only.csv", 2},
                      PyTorchFile{ScheduleKind::InterleavedZB, "InterleavedZeroBubble-p4-m8-v2.compute_only.csv", 2},
                      PyTorchFile{ScheduleKind::ZBV, "ZBVZeroBubble-p4-m8-v2.compute_only.csv", 2},
                      PyTorchFile{ScheduleKind::DualPipeV, "DualPipeV-p4-m8-v2.compute_only.csv", 2}),
    [](const ::testing::TestParamInfo<PyTorchFile>& info) {
      std::string name(schedule_info(info.param.kind).pytorch);
      return name;
    });

// PyTorch's lowered programs (with SEND_F, RECV_B, UNSHARD, ...): their
// compute actions are ours in our order, and their sends are the ones our
// simulation derives from the actions and which rank holds each stage.
TEST_P(PyTorchOrder, LoweredProgramHasOurComputeOrderAndOurSends) {
  const auto& f = GetParam();
  std::string file = f.file;
  file.replace(file.find("compute_only"), std::string("compute_only").size(), "compute_comms");
  const std::string lowered = without_empty_cells(read_file(std::string(PIPESCOPE_TEST_DATA "/pytorch-schedules/") + file));
  ASSERT_FALSE(lowered.empty()) << file;
  std::string compute;
  std::set<std::tuple<int, bool, int>> their_sends;  // (from stage, backward, microbatch)
  std::istringstream rows(lowered);
  for (std::string row; std::getline(rows, row);) {
    std::string kept;
    std::istringstream cells(row);
    // Cells hold no commas inside parentheses here: "(0F7;7B3)OVERLAP_F_B" uses ';'.
    for (std::string cell; std::getline(cells, cell, ',');) {
      // After the stage number: F, I, W, B compute; UNSHARD, RESHARD, REDUCE_GRAD,
      // RECV_*, SEND_* communicate.
      const std::size_t op = cell.find_first_not_of("0123456789");
      const bool is_comm = cell.front() != '(' && std::string("URS").find(cell[op]) != std::string::npos;
      if (!is_comm) {
        kept += (kept.empty() ? "" : ",") + cell;
        continue;
      }
      for (const char* kind : {"SEND_F", "SEND_B"}) {
        const auto at = cell.find(kind);
        if (at != std::string::npos) {
          their_sends.emplace(std::stoi(cell.substr(0, at)), kind[5] == 'B', std::stoi(cell.substr(at + 6)));
        }
      }
    }
    compute += kept + "\n";
  }
  const Program ours = build_program(f.kind, 4, 8, f.v);
  EXPECT_EQ(compute, to_csv(ours));
  Costs c;
  const Timing t = simulate(ours, c);
  std::set<std::tuple<int, bool, int>> our_sends;
  for (const auto& send : t.sends) our_sends.emplace(send.from_stage, send.backward, send.microbatch);
  EXPECT_EQ(our_sends, their_sends);
}

// --- properties over the whole zoo ----------------------------------------

struct Case {
  ScheduleKind kind;
  int p, m, v;
};

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const auto& info : schedule_catalog()) {
    for (int p : {2, 3, 4, 8}) {
      for (int m : {p, p + 1, 2 * p, 3 * p + 1}) {
        for (int v : {1, 2, 3}) {
          if (!schedule_rule_broken(info.kind, p, m, v)) out.push_back({info.kind, p, m, v});
        }
      }
    }
  }
  return out;
}

std::string case_name(const Case& c) {
  return std::string(schedule_info(c.kind).name) + " p " + std::to_string(c.p) + " m " + std::to_string(c.m) +
         " v " + std::to_string(c.v);
}

// Unit costs and instant communication: what the closed forms assume.
Costs unit_costs() {
  Costs c;
  c.f = c.i = c.w = 1;
  return c;
}

// Every pass of a program with the time it ran.
struct Pass {
  Step step;
  int rank;
  std::int64_t start, end;
};
std::vector<Pass> passes(const Program& prog, const Timing& t, const Costs& c) {
  std::vector<Pass> out;
  for (int r = 0; r < prog.ranks; ++r) {
    for (const auto& a : t.per_rank[r]) {
      if (a.action.op == Op::Overlap) {
        out.push_back({a.action.first, r, a.start, a.start + c.f});
        out.push_back({a.action.second, r, a.start + c.f, a.end()});
      } else {
        out.push_back({a.action.first, r, a.start, a.end()});
      }
    }
  }
  return out;
}

TEST(Zoo, EveryStageMicrobatchAndKindExactlyOnceOnItsRankInDependencyOrder) {
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    SCOPED_TRACE(case_name(zoo_case));
    const Program prog = build_program(kind, p, m, v);
    ASSERT_EQ(prog.ranks, p);
    ASSERT_EQ(prog.stages, p * v);
    const Costs c = unit_costs();
    const Timing t = simulate(prog, c);  // throws if it deadlocks
    std::map<std::tuple<int, int, Op>, Pass> seen;
    for (const Pass& pass : passes(prog, t, c)) {
      const auto key = std::make_tuple(pass.step.stage, pass.step.microbatch, pass.step.op);
      EXPECT_TRUE(seen.emplace(key, pass).second) << "repeated " << to_string(Action::single(pass.step.op, pass.step.stage, pass.step.microbatch));
      EXPECT_EQ(pass.rank, prog.rank_of(pass.step.stage)) << "stage on the wrong rank";
    }
    for (int s = 0; s < prog.stages; ++s) {
      for (int k = 0; k < m; ++k) {
        ASSERT_TRUE(seen.count({s, k, Op::F})) << "missing F of stage " << s << " microbatch " << k;
        const bool fused = seen.count({s, k, Op::B}) > 0;
        const bool split = seen.count({s, k, Op::I}) > 0 && seen.count({s, k, Op::W}) > 0;
        EXPECT_NE(fused, split) << "stage " << s << " microbatch " << k << " needs B, or I and W, once";
        const auto& f = seen.at({s, k, Op::F});
        if (split) {
          const auto& i = seen.at({s, k, Op::I});
          const auto& w = seen.at({s, k, Op::W});
          EXPECT_LE(f.end, i.start);
          EXPECT_LE(i.end, w.start);
        } else if (fused) {
          EXPECT_LE(f.end, seen.at({s, k, Op::B}).start);
        }
      }
    }
  }
}

TEST(Zoo, PerRankAndKindMicrobatchesRunInOneDirection) {
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    SCOPED_TRACE(case_name(zoo_case));
    const Program prog = build_program(kind, p, m, v);
    const Costs c = unit_costs();
    std::map<std::pair<int, Op>, std::vector<int>> order;
    for (const Pass& pass : passes(prog, simulate(prog, c), c)) order[{pass.step.stage, pass.step.op}].push_back(pass.step.microbatch);
    for (const auto& [key, mbs] : order) {
      const bool up = std::is_sorted(mbs.begin(), mbs.end());
      const bool down = std::is_sorted(mbs.rbegin(), mbs.rend());
      EXPECT_TRUE(up || down) << "stage " << key.first;
      // Only LoopedBFS runs backwards from the last microbatch (as PyTorch does).
      if (kind != ScheduleKind::LoopedBFS && mbs.size() > 1) {
          EXPECT_TRUE(up) << "stage " << key.first;
        }
    }
  }
}

TEST(Zoo, PeakStoredActivationsPerRank) {
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    SCOPED_TRACE(case_name(zoo_case));
    SchedulePlan plan{build_program(kind, p, m, v), unit_costs(), {}};
    plan.timing = simulate(plan.program, plan.costs);
    Params params;  // one layer per stage: stage-microbatches are microbatch-layers
    params.schedule = kind;
    params.pp = p;
    params.microbatches = m;
    params.chunks = v;
    params.L = p * v;
    params.dp = 1;
    const ScheduleStats stats = schedule_stats(params, plan);
    for (int r = 0; r < p; ++r) {
      const double peak = stats.ranks[static_cast<std::size_t>(r)].peak_activations;
      switch (kind) {
        case ScheduleKind::GPipe: EXPECT_EQ(peak, m) << "rank " << r; break;
        case ScheduleKind::OneFOneB: EXPECT_EQ(peak, std::min(p - r, m)) << "rank " << r; break;
        case ScheduleKind::ZBH1: EXPECT_LE(peak, p) << "rank " << r; break;
        case ScheduleKind::ZBH2: EXPECT_LE(peak, 2 * p - 1) << "rank " << r; break;
        // Two chunks of half a 1F1B stage each: p microbatches of a 1F1B stage
        // are 2p chunk-microbatches, on every rank once the warm-up is full
        // (m >= 2p - 1, PyTorch's own bound); never more.
        case ScheduleKind::ZBV:
          EXPECT_LE(peak, 2 * p) << "rank " << r;
          if (m >= 2 * p - 1) {
            EXPECT_EQ(peak, 2 * p) << "rank " << r;
          }
          break;
        default: break;
      }
    }
  }
}

TEST(Zoo, WarmUpForwardsBeforeTheFirstBackward) {
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    SCOPED_TRACE(case_name(zoo_case));
    if (kind != ScheduleKind::OneFOneB && kind != ScheduleKind::Interleaved1F1B) continue;
    const Program prog = build_program(kind, p, m, v);
    for (int r = 0; r < p; ++r) {
      const auto& ops = prog.per_rank[r];
      const auto first_backward =
          std::find_if(ops.begin(), ops.end(), [](const Action& a) { return a.op != Op::F; });
      const int forwards = static_cast<int>(first_backward - ops.begin());
      if (kind == ScheduleKind::OneFOneB) {
        // min(p-1-i, m) warm-up forwards, then the steady state opens with one
        // more forward (PyTorch's Schedule1F1B).
        EXPECT_EQ(forwards, std::min(p - r, m)) << "rank " << r;
      } else {
        // Megatron's formula, by round: (v-1) x microbatches per round + 2(p-1-i).
        const int per_round = m / std::max(1, m / p);
        const int warmup = std::min((v - 1) * per_round + 2 * (p - 1 - r), m * v);
        EXPECT_EQ(forwards, std::min(warmup + 1, m * v)) << "rank " << r;
      }
    }
  }
}

TEST(Zoo, UnitCostMakespansEqualTheClosedForms) {
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    SCOPED_TRACE(case_name(zoo_case));
    const Program prog = build_program(kind, p, m, v);
    const Timing t = simulate(prog, unit_costs());
    const std::int64_t F = 1, I = 1, W = 1;
    switch (kind) {
      case ScheduleKind::GPipe:
      case ScheduleKind::OneFOneB: EXPECT_EQ(t.makespan, (m + p - 1) * (F + I + W)); break;
      case ScheduleKind::Interleaved1F1B:
        if (m % p == 0) {
            EXPECT_EQ(t.makespan, m * v * (F + I + W) + (p - 1) * (F + I + W));
          }
        break;
      case ScheduleKind::ZBH1: EXPECT_EQ(t.makespan, m * (F + I + W) + (p - 1) * (F + I - W)); break;
      case ScheduleKind::ZBH2:
      case ScheduleKind::ZBV: {
        // No idle inside any rank's own span, once there are enough microbatches
        // to fill the warm-up: m >= 2p - 1 (with fewer, no order can avoid idle).
        if (m < 2 * p - 1) break;
        for (int r = 0; r < p; ++r) {
          const auto& rank = t.per_rank[r];
          std::int64_t busy = 0;
          for (const auto& a : rank) busy += a.length;
          EXPECT_EQ(rank.back().end() - rank.front().start, busy) << "idle inside rank " << r << "'s span";
        }
        break;
      }
      default: break;
    }
  }
}

TEST(Zoo, SceneCostsKeepTheClosedForms) {
  // The scene's costs: F and I of a stage are 2 x layers + 1 frames, W is
  // 2 x layers; with instant sends the same closed forms hold.
  for (const Case& zoo_case : all_cases()) {
    const auto [kind, p, m, v] = zoo_case;
    if (kind != ScheduleKind::GPipe && kind != ScheduleKind::OneFOneB && kind != ScheduleKind::ZBH1) continue;
    SCOPED_TRACE(case_name(zoo_case));
    Params params;
    params.schedule = kind;
    params.pp = p;
    params.microbatches = m;
    params.L = 2 * p;
    params.dp = 1;
    params.pp_comm_steps = 0;
    ASSERT_TRUE(validate(params).empty()) << validate(params)[0].message;
    const SchedulePlan plan = make_plan(params);
    const std::int64_t F = 5, I = 5, W = 4;
    EXPECT_EQ(plan.costs.f, F);
    EXPECT_EQ(plan.costs.w, W);
    if (kind == ScheduleKind::ZBH1) {
      EXPECT_EQ(plan.timing.makespan, m * (F + I + W) + (p - 1) * (F + I - W));
    } else {
      EXPECT_EQ(plan.timing.makespan, (m + p - 1) * (F + I + W));
    }
  }
}

TEST(ZooRules, PyTorchsConstraintsAreRefusedWithTheRule) {
  EXPECT_NE(schedule_rule_broken(ScheduleKind::DualPipeV, 4, 7, 2)->message.find("at least as many microbatches"),
            std::string::npos);
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::DualPipeV, 4, 8, 2), std::nullopt);
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::ZBV, 4, 8, 3)->field, "chunks");
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::Interleaved1F1B, 4, 10, 1)->field, "chunks");
  // 4 ranks, 9 microbatches: 2 rounds, and 9 is not a multiple of 2.
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::Interleaved1F1B, 4, 9, 2)->field, "microbatches");
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::Interleaved1F1B, 4, 10, 2), std::nullopt);
  EXPECT_EQ(schedule_rule_broken(ScheduleKind::OneFOneB, 4, 8, 2)->field, "chunks");
}

TEST(ZooRules, EveryNameRoundTrips) {
  for (const auto& info : schedule_catalog()) {
    ASSERT_TRUE(schedule_from_name(info.name));
    EXPECT_EQ(*schedule_from_name(info.name), info.kind);
  }
  EXPECT_FALSE(schedule_from_name("1F1B"));
}

TEST(Deadlock, ACyclicProgramIsRefusedWithTheCycleNamed) {
  Program prog;
  prog.ranks = 2;
  prog.stages = 2;
  prog.microbatches = 1;
  // Rank 0 wants the gradient before it has sent the activation.
  prog.per_rank = {{Action::single(Op::B, 0, 0), Action::single(Op::F, 0, 0)},
                   {Action::single(Op::F, 1, 0), Action::single(Op::B, 1, 0)}};
  try {
    simulate(prog, unit_costs());
    FAIL() << "a cycle was accepted";
  } catch (const Deadlock& e) {
    const std::string what = e.what();
    for (const char* part : {"cycle", "rank 0 waits at 0B0 for 1I0 (rank 1)", "rank 1 waits at 1F0 for 0F0 (rank 0)"}) {
      EXPECT_NE(what.find(part), std::string::npos) << part << " in: " << what;
    }
  }
}

TEST(Deadlock, AMissingActionIsNamed) {
  Program prog;
  prog.ranks = 2;
  prog.stages = 2;
  prog.microbatches = 1;
  prog.per_rank = {{Action::single(Op::F, 0, 0), Action::single(Op::B, 0, 0)}, {Action::single(Op::F, 1, 0)}};
  try {
    simulate(prog, unit_costs());
    FAIL() << "a program missing 1B0 was accepted";
  } catch (const Deadlock& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 waits at 0B0 for 1I0, which rank 1 never runs"), std::string::npos)
        << e.what();
  }
}

}  // namespace

namespace {

// Every rank first runs the forward of its second chunk, which waits for the
// previous rank's (rank 0's for rank p - 1's): one cycle through all 2,000
// ranks. The message tells its first and last links and the count between,
// in a line of readable length.
TEST(Deadlock, ACycleThroughThousandsOfRanksIsToldInOneShortLine) {
  pipescope::Program prog;
  const int p = 2000;
  prog.ranks = p;
  prog.stages = 2 * p;
  prog.microbatches = 1;
  for (int r = 0; r < p; ++r) {
    prog.per_rank.push_back({pipescope::Action::single(pipescope::Op::F, p + r, 0),
                             pipescope::Action::single(pipescope::Op::F, r, 0)});
  }
  try {
    pipescope::simulate(prog, pipescope::Costs{});
    FAIL() << "no deadlock found";
  } catch (const pipescope::Deadlock& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("in a cycle"), std::string::npos) << what;
    EXPECT_NE(what.find("(1994 more ranks)"), std::string::npos) << what;
    EXPECT_LT(what.size(), 600u) << what;
  }
}

}  // namespace
