#include "pipescope/analysis/trace.hpp"

#include "pipescope/model/json_string.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/model/mesh.hpp"

namespace pipescope {


std::string chrome_trace(const Params& p, const SchedulePlan& plan, double frame_us) {
  const Timing& t = plan.timing;
  const int ranks = plan.program.ranks;
  std::string out = "{\"traceEvents\": [\n";
  bool first = true;
  auto event = [&](const std::string& e) {
    out += first ? "  " : ",\n  ";
    out += e;
    first = false;
  };
  // Real time is simulated in ns; frames last frame_us each.
  const bool real = plan.real_time();
  auto us = [&](double t) { return fmt::format("{:.3f}", real ? t / 1000 : t * frame_us); };
  // Where each pass runs, to bind a send's flow to the action that receives it.
  struct Where {
    int rank;
    std::int64_t start, end;
  };
  std::map<std::tuple<int, int, Op>, Where> passes;
  for (int r = 0; r < ranks; ++r) {
    for (const TimedAction& a : t.per_rank[static_cast<std::size_t>(r)]) {
      auto add = [&](const Step& st, std::int64_t start, std::int64_t end) {
        passes[{st.stage, st.microbatch, st.op == Op::B ? Op::I : st.op}] = {r, start, end};
      };
      for_each_pass(a, plan.costs, add);
    }
  }
  const auto memory = activation_memory(p, plan);
  std::int64_t flow_id = 0;
  for (std::int64_t replica = 0; replica < p.dp; ++replica) {
    event(fmt::format(R"j({{"name": "process_name", "ph": "M", "pid": {}, "args": {{"name": "replica {}"}}}})j",
                      replica, replica));
    for (int r = 0; r < ranks; ++r) {
      std::string stages;
      for (std::int64_t s = 0; s < p.stages(); ++s) {
        if (p.rank_of_stage(s) == r) stages += (stages.empty() ? "" : ", ") + std::to_string(s);
      }
      event(fmt::format(R"j({{"name": "thread_name", "ph": "M", "pid": {}, "tid": {}, "args": {{"name": "{} (stages {})"}}}})j",
                        replica, r, rank_label(p, r), stages));
      for (const TimedAction& a : t.per_rank[static_cast<std::size_t>(r)]) {
        std::string args;
        if (a.action.op == Op::Overlap) {
          args = fmt::format(R"j("forward": {{"stage": {}, "microbatch": {}}}, "backward": {{"stage": {}, "microbatch": {}}}, "kind": "OVERLAP_F_B")j",
                             a.action.first.stage, a.action.first.microbatch, a.action.second.stage,
                             a.action.second.microbatch);
        } else {
          args = fmt::format(R"j("stage": {}, "microbatch": {}, "kind": "{}")j", a.action.first.stage,
                             a.action.first.microbatch, op_letter(a.action.op));
        }
        if (a.waited > 0) {
          args += fmt::format(R"j(, "waited_{}": {}, "waited_for": "{}")j", real ? "us" : "frames",
                              real ? us(static_cast<double>(a.waited)) : std::to_string(a.waited),
                              to_string(Action::single(a.waited_for.op, a.waited_for.stage, a.waited_for.microbatch)));
        }
        event(fmt::format(R"j({{"name": "{}", "cat": "compute", "ph": "X", "pid": {}, "tid": {}, "ts": {}, "dur": {}, "args": {{{}}}}})j",
                          to_string(a.action), replica, r, us(static_cast<double>(a.start)),
                          us(static_cast<double>(a.length)), args));
      }
      for (const MemoryPoint& m : memory[static_cast<std::size_t>(r)]) {
        event(fmt::format(R"j({{"name": "activations GPU {}", "ph": "C", "pid": {}, "ts": {}, "args": {{"bytes": {:.0f}}}}})j",
                          r, replica, us(static_cast<double>(m.time)), m.bytes));
      }
    }
    // Sends: an arrow from the sending pass to the pass that receives.
    for (const TimedSend& s : t.sends) {
      const auto from = passes.find({s.from_stage, s.microbatch, s.backward ? Op::I : Op::F});
      const auto to = passes.find({s.to_stage, s.microbatch, s.backward ? Op::I : Op::F});
      if (from == passes.end() || to == passes.end()) continue;
      const std::string name = fmt::format("send {} stage {} to {}, microbatch {}", s.backward ? "gradient" : "activation",
                                           s.from_stage, s.to_stage, s.microbatch);
      const double at = static_cast<double>(from->second.end) - 0.5;  // inside the sending slice
      event(fmt::format(R"j({{"name": "{}", "cat": "send", "ph": "s", "id": {}, "pid": {}, "tid": {}, "ts": {}}})j", name,
                        flow_id, replica, from->second.rank, us(at)));
      event(fmt::format(R"j({{"name": "{}", "cat": "send", "ph": "f", "bp": "e", "id": {}, "pid": {}, "tid": {}, "ts": {}}})j",
                        name, flow_id, replica, to->second.rank, us(static_cast<double>(to->second.start) + 0.5)));
      ++flow_id;
    }
    // The gradient exchange with the next replica: a track per rank's link
    // (a link sends one layer at a time; links run side by side).
    if (replica + 1 < p.dp && !t.exchanges.empty()) {
      for (int r = 0; r < ranks; ++r) {
        event(fmt::format(R"j({{"name": "thread_name", "ph": "M", "pid": {}, "tid": {}, "args": {{"name": "GPU {}: gradient exchange with replica {}"}}}})j",
                          replica, ranks + r, r, replica + 1));
      }
      for (const TimedExchange& e : t.exchanges) {
        event(fmt::format(R"j({{"name": "exchange layer {}", "cat": "exchange", "ph": "X", "pid": {}, "tid": {}, "ts": {}, "dur": {}, "args": {{"layer": {}, "stage": {}, "rank": {}}}}})j",
                          e.layer, replica, ranks + e.rank, us(static_cast<double>(e.start)),
                          us(static_cast<double>(2 * e.flash)), e.layer, e.stage, e.rank));
      }
    }
  }
  if (real) {
    out += fmt::format("\n], \"displayTimeUnit\": \"ms\", \"otherData\": {{\"time_unit\": \"us\", \"schedule\": {}, "
                       "\"makespan_us\": {}}}}}\n",
                       json_string(p.schedule_name()), us(static_cast<double>(t.makespan)));
  } else {
    out += fmt::format("\n], \"displayTimeUnit\": \"ms\", \"otherData\": {{\"time_unit\": \"frames\", \"frame_us\": {}, "
                       "\"schedule\": {}, \"makespan_frames\": {}}}}}\n",
                       frame_us, json_string(p.schedule_name()), t.makespan);
  }
  return out;
}

}  // namespace pipescope
