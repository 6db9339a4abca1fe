#pragma once
// A measured step beside its ideal: the parameters it sets (its order as the
// schedule, the median cost of each kind and stage), the plan that replays
// the step exactly as it ran, and where the difference between the two went.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipescope/measured/measured_run.hpp"
#include "pipescope/model/params.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

// Sets p.measured and what the run fixes: pp, microbatches, chunks (except
// those given, so that validation names both), dp 1 (one pipeline's
// traces), its order as p.schedule_file ("measured 1f1b"), every stage's
// median F, I and W in microseconds (a fused B's median split evenly
// between I and W), and L rounded up to a multiple of its stages.
void apply_measured_run(Params& p, std::shared_ptr<const MeasuredRun> run, bool pp_given = false,
                        bool microbatches_given = false, bool layers_given = false);

// The step as it ran, as a plan every view reads (lanes, stats, the scene,
// traces): its programs, the ideal's costs, and its measured timing (ns
// from the first action's start), sends where the ranks sent.
// Requires p.measured and validate(p) to be empty.
SchedulePlan measured_plan(const Params& p);

// One pipeline's timing (pipeline k: run.ranks[k * pp, (k + 1) * pp)), as
// measured_plan's: its passes, its sends, its all-reduces as exchanges.
Timing measured_timing(const MeasuredRun& run, const Costs& costs, int pipeline);

// Where a rank's time went, measured against the ideal (ns).
struct RankSplit {
  int rank = 0;
  std::int64_t busy = 0, ideal_busy = 0;  // computing (measured: the union of its compute)
  std::int64_t idle = 0, ideal_idle = 0;  // the step's makespan minus busy
  // Idle before a pass whose input comes from another rank, until that
  // input was made: waiting on a peer, by peer rank.
  std::int64_t waiting_on_peers = 0;
  std::vector<std::int64_t> waiting_on;  // per rank, by index into MeasuredRun::ranks
  // Inside sends and receives once the input was made (or with nothing to
  // wait for): the fastest such transfer of the step is what the bytes need,
  // the rest of each is beyond it (a SendRecv kernel's time includes waiting).
  std::int64_t comm_needed = 0, comm_beyond = 0;
  std::int64_t nothing = 0;  // gaps where the trace shows nothing at all
  // After its last pass, inside its collectives (the gradient all-reduce,
  // its wait for the replicas' last backward included).
  std::int64_t collective = 0;
  std::int64_t drain = 0;    // after that, until the step ends
};

// An operator the slow rank spent longer in than its peers (ns in the step).
struct OperatorExcess {
  std::string name;
  std::int64_t mine = 0, peers = 0;  // peers: their median
};

struct MeasuredSplit {
  std::int64_t makespan = 0, ideal_makespan = 0;
  std::vector<RankSplit> ranks;
  // The slow rank: the one whose compute a microbatch (all its passes of
  // that microbatch) has the largest median, named only when it is slower
  // than its peers by more than their spread: the lower quartile of its
  // microbatches above the upper quartile of theirs, and 10 % above their
  // median. Contention and jitter move whole ranks by as much without any
  // rank being slow (issue 26: 1.12 and 1.27 x on runs without one).
  int straggler = -1;      // -1: none
  int slowest = -1;        // the rank with the largest median, named or not
  double straggler_ratio = 1;  // its median / its peers' (pooled) median
  // Its microbatches' middle half and its peers', ns.
  double slowest_q1 = 0, slowest_q3 = 0, peers_q1 = 0, peers_q3 = 0;
  // With replicas (per_pass): each rank's compute over the step against the
  // median of its stage's other replicas'; straggler_ratio is the slowest
  // one's, peers_q1 and peers_q3 the other ranks' lowest and highest, and
  // slowest_q1/q3 the middle half of its passes one by one against the same
  // pass on the replicas (said, not judged: single passes jitter).
  bool per_pass = false;
  // The slowest rank's busy time beyond its peers' median (the same stage's
  // replicas, or every other rank), and the operators that took longer.
  std::int64_t compute_excess = 0;
  std::vector<OperatorExcess> excess_operators;
  std::int64_t fastest_transfer = 0;  // the step's fastest send or receive: what the bytes need
  int most_waited_on = -1;  // the rank the others waited on most (global)
};

MeasuredSplit split_difference(const MeasuredRun& run, const SchedulePlan& ideal);

}  // namespace pipescope
