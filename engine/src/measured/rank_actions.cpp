#include "rank_actions.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "pipescope/io/input_file.hpp"

namespace pipescope::detail {

namespace {

constexpr std::string_view kStepPrefix = "ProfilerStep#";
constexpr int kMaxIndex = 1'000'000;  // stages, microbatches: as the CSV reader bounds them

std::optional<int> leading_number(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || n > 7) return std::nullopt;
  int v = 0;
  std::from_chars(s.data(), s.data() + n, v);
  s.remove_prefix(n);
  if (v > kMaxIndex) return std::nullopt;
  return v;
}

// A "PP:..." label: a compute action, or a send or receive.
struct PpLabel {
  bool compute = false;
  bool send = false;  // for a communication label
  Action action{};
};

std::optional<Step> compute_step(std::string_view s) {
  const auto stage = leading_number(s);
  if (!stage || s.empty()) return std::nullopt;
  Op op;
  switch (s.front()) {
    case 'F': op = Op::F; break;
    case 'I': op = Op::I; break;
    case 'W': op = Op::W; break;
    case 'B': op = Op::B; break;
    default: return std::nullopt;
  }
  s.remove_prefix(1);
  const auto mb = leading_number(s);
  if (!mb || !s.empty()) return std::nullopt;
  return Step{op, *stage, *mb};
}

std::optional<PpLabel> pp_label(std::string_view name) {
  if (!name.starts_with("PP:")) return std::nullopt;
  std::string_view s = name.substr(3);
  if (s.starts_with("(")) {  // (0F7;7B3)OVERLAP_F_B
    const auto semi = s.find(';'), close = s.find(')');
    if (semi == std::string_view::npos || close == std::string_view::npos || close < semi ||
        s.substr(close + 1) != "OVERLAP_F_B") {
      return std::nullopt;
    }
    const auto f = compute_step(s.substr(1, semi - 1)), b = compute_step(s.substr(semi + 1, close - semi - 1));
    if (!f || !b || f->op != Op::F || b->op != Op::B) return std::nullopt;
    return PpLabel{true, false, Action::overlap(f->stage, f->microbatch, b->stage, b->microbatch)};
  }
  if (const auto st = compute_step(s)) return PpLabel{true, false, Action::single(st->op, st->stage, st->microbatch)};
  std::string_view rest = s;
  if (!leading_number(rest)) return std::nullopt;
  for (std::string_view op : {"SEND_F", "SEND_B", "RECV_F", "RECV_B"}) {
    if (rest.starts_with(op)) return PpLabel{false, op.starts_with("SEND"), {}};
  }
  return std::nullopt;  // UNSHARD, RESHARD, REDUCE_GRAD: not timed here
}

// "Forward 3" / "Backward 3": PyTorch's GPipe.
std::optional<Action> gpipe_label(std::string_view name) {
  Op op;
  if (name.starts_with("Forward ")) {
    op = Op::F;
    name.remove_prefix(8);
  } else if (name.starts_with("Backward ")) {
    op = Op::B;
    name.remove_prefix(9);
  } else {
    return std::nullopt;
  }
  const auto mb = leading_number(name);
  if (!mb || !name.empty()) return std::nullopt;
  return Action::single(op, -1, *mb);
}

bool is_comm_name(std::string_view n) {
  return n.starts_with("gloo:send") || n.starts_with("gloo:recv") || n.starts_with("nccl:send") ||
         n.starts_with("nccl:recv");
}
bool is_comm_op(std::string_view n) {
  return n.starts_with("c10d::") || n.starts_with("gloo:") || n.starts_with("nccl:") ||
         n.starts_with("record_param_comms");
}
bool is_comm_kernel(std::string_view n) {
  return n.find("SendRecv") != std::string_view::npos || n.starts_with("ncclDevKernel_Send") ||
         n.starts_with("ncclDevKernel_Recv") || n.starts_with("ncclKernel_Send") || n.starts_with("ncclKernel_Recv");
}
// A collective's name as gloo and NCCL annotate it ("gloo:all_reduce",
// "nccl:broadcast") or as NCCL names its kernel ("ncclDevKernel_AllReduce_Sum_f32_RING_LL"),
// "" for anything else (sends and receives are not collectives).
std::string collective_name(std::string_view n) {
  for (std::string_view prefix : {"gloo:", "nccl:"}) {
    if (!n.starts_with(prefix)) continue;
    n.remove_prefix(prefix.size());
    if (n.starts_with("send") || n.starts_with("recv") || n.starts_with("barrier")) return "";
    return std::string(n.substr(0, std::min<std::size_t>(n.size(), 40)));
  }
  for (std::string_view prefix : {"ncclDevKernel_", "ncclKernel_"}) {
    if (!n.starts_with(prefix)) continue;
    n.remove_prefix(prefix.size());
    for (auto [kernel, name] : {std::pair{"AllReduce", "all_reduce"}, {"ReduceScatter", "reduce_scatter"},
                                {"AllGather", "all_gather"}, {"Broadcast", "broadcast"}, {"Reduce", "reduce"},
                                {"AllToAll", "all_to_all"}}) {
      if (n.starts_with(kernel)) return name;
    }
  }
  return "";
}

bool is_send_kernel(std::string_view n) {
  return n.find("Send") != std::string_view::npos && n.find("Recv") == std::string_view::npos;
}

struct Span {
  std::int64_t start, end;
};

std::int64_t union_length(std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::int64_t total = 0, cur_start = 0, cur_end = INT64_MIN;
  for (const Span& s : spans) {
    if (s.start > cur_end) {
      if (cur_end != INT64_MIN) total += cur_end - cur_start;
      cur_start = s.start;
      cur_end = s.end;
    } else {
      cur_end = std::max(cur_end, s.end);
    }
  }
  if (cur_end != INT64_MIN) total += cur_end - cur_start;
  return total;
}

// A CPU span's kernels: those its launches (cuda_runtime events inside it,
// on its thread) correlate with.
class KernelIndex {
 public:
  explicit KernelIndex(const KinetoTrace& t) : trace_(t) {
    for (std::size_t i = 0; i < t.events.size(); ++i) {
      const TraceEvent& e = t.events[i];
      if (e.category == EventCategory::Kernel && e.correlation >= 0) {
        kernel_of_.emplace(e.correlation, i);
        any_ = true;
      } else if (e.category == EventCategory::Runtime && e.correlation >= 0) {
        launches_.push_back(i);
      }
    }
    std::sort(launches_.begin(), launches_.end(),
              [&](std::size_t a, std::size_t b) { return t.events[a].start_ns < t.events[b].start_ns; });
  }
  bool any() const { return any_; }

  // The compute kernels (not NCCL's) launched from [start, end) on `thread`.
  std::vector<Span> compute_kernels(std::int64_t start, std::int64_t end, std::int32_t thread) const {
    std::vector<Span> out;
    auto it = std::lower_bound(launches_.begin(), launches_.end(), start,
                               [&](std::size_t i, std::int64_t t) { return trace_.events[i].start_ns < t; });
    for (; it != launches_.end() && trace_.events[*it].start_ns < end; ++it) {
      const TraceEvent& launch = trace_.events[*it];
      if (launch.thread != thread) continue;
      const auto k = kernel_of_.find(launch.correlation);
      if (k == kernel_of_.end()) continue;
      const TraceEvent& kernel = trace_.events[k->second];
      if (is_comm_kernel(trace_.names[static_cast<std::size_t>(kernel.name)])) continue;
      out.push_back({kernel.start_ns, kernel.end_ns});
    }
    return out;
  }

 private:
  const KinetoTrace& trace_;
  std::unordered_map<std::int64_t, std::size_t> kernel_of_;
  std::vector<std::size_t> launches_;
  bool any_ = false;
};

// Operators that move or split tensors and compute nothing: the input's
// split into microbatches, detaching a stage's output, the losses' concat.
// A run of only these is glue between passes, not a pass.
bool is_glue(std::string_view n) {
  for (std::string_view g : {"aten::detach", "aten::detach_", "aten::tensor_split", "aten::split", "aten::chunk",
                             "aten::cat", "aten::stack", "aten::empty", "aten::empty_like", "aten::zeros",
                             "aten::zeros_like", "aten::to", "aten::_to_copy", "aten::copy_", "aten::view",
                             "aten::reshape", "aten::clone", "aten::alias", "aten::lift_fresh", "aten::requires_grad_",
                             "aten::set_", "aten::resize_", "aten::unbind", "aten::select", "aten::slice",
                             "aten::as_strided"}) {
    if (n == g) return true;
  }
  return false;
}

// The rank's compute with no labels: top-level CPU ops between its
// communication, in runs of one kind (forward: no autograd function runs;
// backward: autograd's evaluate_function), trimmed of glue at either end.
std::vector<MeasuredAction> inferred_actions(const KinetoTrace& t, const std::vector<const TraceEvent*>& cpu) {
  struct Run {
    Op op;
    std::int64_t start = INT64_MAX, end = INT64_MIN;  // of its computing (not glue) operators
    std::int64_t busy = 0;                            // their time (top-level operators do not overlap)
  };
  std::vector<Run> runs;
  std::int64_t top_end = INT64_MIN;
  bool after_comm = true;
  for (const TraceEvent* e : cpu) {
    if (e->start_ns < top_end) continue;  // nested inside a top-level op
    const std::string_view name = t.names[static_cast<std::size_t>(e->name)];
    // Other annotations wrap compute without being it (DDP's
    // "DistributedDataParallel.forward"): what they hold is read instead.
    if (e->category == EventCategory::UserAnnotation && !is_comm_op(name)) continue;
    top_end = e->end_ns;
    // DDP's reducer copying all-reduced buckets back into the gradients
    // ends the last backward: part of it, not a new pass.
    if (name.find("ddp.reducer") != std::string_view::npos) continue;
    if (is_comm_op(name)) {
      after_comm = true;
      continue;
    }
    if (e->category != EventCategory::CpuOp) continue;
    const Op op = name.starts_with("autograd::engine::evaluate_function") ? Op::B : Op::F;
    if (after_comm || runs.empty() || runs.back().op != op) runs.push_back({op});
    after_comm = false;
    if (is_glue(name)) continue;
    runs.back().start = std::min(runs.back().start, e->start_ns);
    runs.back().end = std::max(runs.back().end, e->end_ns);
    runs.back().busy += e->end_ns - e->start_ns;
  }
  std::vector<MeasuredAction> out;
  int forwards = 0, backwards = 0;
  for (const Run& r : runs) {
    if (r.end < r.start) continue;  // glue only
    const int mb = r.op == Op::F ? forwards++ : backwards++;
    out.push_back({Action::single(r.op, -1, mb), r.start, r.end, r.busy});
  }
  return out;
}

// What the rank's own operators took inside its actions, by name: a CPU
// operator's self time (its span less the operators directly inside it:
// aten::linear's time is mostly aten::addmm's, said once), or on a GPU the
// step's compute kernels. Communication is not an operator here.
std::vector<OperatorTime> operator_times(const KinetoTrace& t, const std::vector<const TraceEvent*>& cpu,
                                         const std::vector<MeasuredAction>& actions, bool gpu, std::int64_t s0,
                                         std::int64_t s1) {
  std::map<std::int32_t, OperatorTime> by_name;
  if (gpu) {
    for (const TraceEvent& e : t.events) {
      if (e.category != EventCategory::Kernel || e.start_ns < s0 || e.start_ns >= s1) continue;
      if (is_comm_kernel(t.names[static_cast<std::size_t>(e.name)]) || !collective_name(t.names[static_cast<std::size_t>(e.name)]).empty()) continue;
      OperatorTime& o = by_name[e.name];
      o.ns += e.end_ns - e.start_ns;
      ++o.calls;
    }
  } else {
    // `cpu` is by start, outermost first: a stack of open operators gives each its parent.
    std::vector<Span> spans;
    for (const MeasuredAction& a : actions) spans.push_back({a.start, a.end});
    auto inside_an_action = [&](const TraceEvent& e) {
      auto it = std::upper_bound(spans.begin(), spans.end(), e.start_ns,
                                 [](std::int64_t x, const Span& s) { return x < s.start; });
      return it != spans.begin() && e.start_ns < std::prev(it)->end;
    };
    struct Open {
      const TraceEvent* e;
      std::int64_t children = 0;
    };
    std::vector<Open> open;
    auto close_until = [&](std::int64_t t_ns) {
      while (!open.empty() && open.back().e->end_ns <= t_ns) {
        const Open done = open.back();
        open.pop_back();
        if (!open.empty()) open.back().children += done.e->end_ns - done.e->start_ns;
        const std::string_view name = t.names[static_cast<std::size_t>(done.e->name)];
        if (is_comm_op(name) || !inside_an_action(*done.e)) continue;
        OperatorTime& o = by_name[done.e->name];
        o.ns += std::max<std::int64_t>(0, done.e->end_ns - done.e->start_ns - done.children);
        ++o.calls;
      }
    };
    for (const TraceEvent* e : cpu) {
      if (e->category != EventCategory::CpuOp) continue;
      close_until(e->start_ns);
      open.push_back({e});
    }
    close_until(INT64_MAX);
  }
  std::vector<OperatorTime> out;
  for (auto& [name, o] : by_name) {
    o.name = printable(t.names[static_cast<std::size_t>(name)], 80);
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const OperatorTime& a, const OperatorTime& b) {
    return a.ns != b.ns ? a.ns > b.ns : a.name < b.name;
  });
  return out;
}

}  // namespace

std::set<int> profiler_steps(const KinetoTrace& trace) {
  std::set<int> steps;
  std::vector<bool> is_step(trace.names.size(), false);
  std::vector<int> number(trace.names.size(), -1);
  for (std::size_t i = 0; i < trace.names.size(); ++i) {
    std::string_view n = trace.names[i];
    if (!n.starts_with(kStepPrefix)) continue;
    n.remove_prefix(kStepPrefix.size());
    // Step numbers grow with a run's length: any that fits an int (9 digits), not a stage's 7.
    int v = 0;
    const auto r = std::from_chars(n.data(), n.data() + n.size(), v);
    if (!n.empty() && n.size() <= 9 && n.front() != '-' && n.front() != '+' && r.ec == std::errc() &&
        r.ptr == n.data() + n.size()) {
      number[i] = v;
    }
  }
  for (const TraceEvent& e : trace.events) {
    if (e.category == EventCategory::UserAnnotation && number[static_cast<std::size_t>(e.name)] >= 0) {
      steps.insert(number[static_cast<std::size_t>(e.name)]);
    }
  }
  return steps;
}

RankRecord rank_actions(const KinetoTrace& t, std::optional<int> step) {
  RankRecord rec;
  rec.rank = t.rank;
  rec.file = t.path;
  // The step's span and the thread that ran it.
  std::int64_t s0 = INT64_MAX, s1 = INT64_MIN;
  std::int32_t thread = -1;
  if (step) {
    const std::string want = fmt::format("{}{}", kStepPrefix, *step);
    for (const TraceEvent& e : t.events) {
      if (e.category == EventCategory::UserAnnotation && t.names[static_cast<std::size_t>(e.name)] == want) {
        s0 = e.start_ns;
        s1 = e.end_ns;
        thread = e.thread;
        break;
      }
    }
  } else {
    std::map<std::int32_t, std::size_t> ops;
    for (const TraceEvent& e : t.events) {
      if (e.category != EventCategory::CpuOp && e.category != EventCategory::UserAnnotation) continue;
      s0 = std::min(s0, e.start_ns);
      s1 = std::max(s1, e.end_ns);
      ++ops[e.thread];
    }
    for (const auto& [th, n] : ops) {
      if (thread < 0 || n > ops[thread]) thread = th;
    }
  }
  if (thread < 0) throw MeasuredRunError(t.path + ": has no CPU operators or annotations to read a step from");
  rec.step_start = s0;
  rec.step_end = s1;

  // The step's CPU events on its thread, outermost first at equal starts.
  std::vector<const TraceEvent*> cpu;
  for (const TraceEvent& e : t.events) {
    if ((e.category == EventCategory::CpuOp || e.category == EventCategory::UserAnnotation) && e.thread == thread &&
        e.start_ns >= s0 && e.end_ns <= s1 &&
        !t.names[static_cast<std::size_t>(e.name)].starts_with(kStepPrefix)) {
      cpu.push_back(&e);
    }
  }
  std::sort(cpu.begin(), cpu.end(), [](const TraceEvent* a, const TraceEvent* b) {
    return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->end_ns > b->end_ns;
  });

  // Labels, and their twins on the GPU's timeline (the k-th "PP:0F3" there
  // is the k-th on the CPU: the GPU runs them in launch order).
  std::map<std::int32_t, std::vector<const TraceEvent*>> gpu_twins;
  for (const TraceEvent& e : t.events) {
    if (e.category == EventCategory::GpuUserAnnotation) gpu_twins[e.name].push_back(&e);
  }
  for (auto& [name, list] : gpu_twins) {
    std::sort(list.begin(), list.end(), [](const TraceEvent* a, const TraceEvent* b) { return a->start_ns < b->start_ns; });
  }
  std::map<std::int32_t, std::size_t> seen_before;  // label occurrences before this step, per name
  for (const TraceEvent& e : t.events) {
    if (e.category == EventCategory::UserAnnotation && e.thread == thread && e.end_ns <= s0) ++seen_before[e.name];
  }
  const KernelIndex kernels(t);
  // On a GPU a pass is its kernels: from the first one's start to the last
  // one's end, busy while any runs. Without kernels it stays the CPU's span.
  auto on_kernels = [&](MeasuredAction& m, std::int64_t cpu_start, std::int64_t cpu_end) {
    if (!kernels.any()) return;
    const auto ks = kernels.compute_kernels(cpu_start, cpu_end, thread);
    if (ks.empty()) return;
    m.start = std::min_element(ks.begin(), ks.end(), [](auto& x, auto& y) { return x.start < y.start; })->start;
    m.end = std::max_element(ks.begin(), ks.end(), [](auto& x, auto& y) { return x.end < y.end; })->end;
    m.busy = union_length(ks);
    rec.gpu = true;
  };
  std::map<std::int32_t, std::size_t> seen_in_step;
  // A label can hold more than compute: PyTorch's "Forward i" waits for
  // its input and sends its output inside it. The pass is its operators
  // outside communication (and outside operators nested in communication).
  auto compute_span = [&](const TraceEvent& label) {
    auto it = std::lower_bound(cpu.begin(), cpu.end(), label.start_ns,
                               [](const TraceEvent* e, std::int64_t t) { return e->start_ns < t; });
    std::int64_t from = INT64_MAX, to = INT64_MIN, comm_end = INT64_MIN;
    std::vector<Span> ops;
    for (; it != cpu.end() && (*it)->start_ns < label.end_ns; ++it) {
      const TraceEvent& e = **it;
      if (&e == &label || e.end_ns > label.end_ns) continue;
      const std::string_view name = t.names[static_cast<std::size_t>(e.name)];
      if (is_comm_op(name)) {
        comm_end = std::max(comm_end, e.end_ns);
        continue;
      }
      if (e.category != EventCategory::CpuOp || e.start_ns < comm_end || is_glue(name)) continue;
      from = std::min(from, e.start_ns);
      to = std::max(to, e.end_ns);
      ops.push_back({e.start_ns, e.end_ns});
    }
    // Busy: the union of its operators (the interpreter's time between them is not compute).
    struct Result {
      Span span;
      std::int64_t busy;
    };
    if (from > to) return Result{{label.start_ns, label.end_ns}, label.end_ns - label.start_ns};
    return Result{{from, to}, union_length(std::move(ops))};
  };
  auto timed = [&](const TraceEvent& e, Action a) {
    const auto [cpu_span, cpu_busy] = compute_span(e);
    MeasuredAction m{a, cpu_span.start, cpu_span.end, cpu_busy};
    const auto twin = gpu_twins.find(e.name);
    const std::size_t k = seen_before[e.name] + seen_in_step[e.name]++;
    if (twin != gpu_twins.end() && k < twin->second.size()) {
      m.start = twin->second[k]->start_ns;
      m.end = twin->second[k]->end_ns;
      m.busy = m.end - m.start;
      rec.gpu = true;
    } else {
      on_kernels(m, e.start_ns, e.end_ns);
    }
    return m;
  };

  // A rank runs one pass at a time: labels of passes that overlap on its
  // thread (nested, or two label sets) would count its time twice.
  const TraceEvent* previous_pass = nullptr;
  auto one_at_a_time = [&](const TraceEvent& e) {
    if (previous_pass != nullptr && e.start_ns < previous_pass->end_ns) {
      throw MeasuredRunError(fmt::format(
          "{} (rank {}): its labels {} and {} overlap ({} us apart in start, the first lasting {} us): a rank runs "
          "one pass at a time; was a step labelled twice?",
          t.path, t.rank, printable(t.names[static_cast<std::size_t>(previous_pass->name)], 40),
          printable(t.names[static_cast<std::size_t>(e.name)], 40), (e.start_ns - previous_pass->start_ns) / 1000,
          (previous_pass->end_ns - previous_pass->start_ns) / 1000));
    }
    previous_pass = &e;
  };
  bool any_pp = false, any_gpipe = false;
  for (const TraceEvent* e : cpu) {
    if (e->category != EventCategory::UserAnnotation) continue;
    const std::string_view name = t.names[static_cast<std::size_t>(e->name)];
    if (const auto l = pp_label(name)) {
      if (l->compute) {
        any_pp = true;
        one_at_a_time(*e);
        rec.actions.push_back(timed(*e, l->action));
      } else {
        rec.comms.push_back({e->start_ns, e->end_ns, l->send});
      }
    } else if (is_comm_name(name)) {
      rec.comms.push_back({e->start_ns, e->end_ns, name.find("send") != std::string_view::npos});
    }
  }
  if (any_pp) {
    rec.labels = MeasuredLabels::Pipelining;
  } else {
    for (const TraceEvent* e : cpu) {
      if (e->category != EventCategory::UserAnnotation) continue;
      if (const auto a = gpipe_label(t.names[static_cast<std::size_t>(e->name)])) {
        any_gpipe = true;
        one_at_a_time(*e);
        rec.actions.push_back(timed(*e, *a));
      }
    }
    if (any_gpipe) {
      rec.labels = MeasuredLabels::GPipe;
    } else {
      rec.labels = MeasuredLabels::Inferred;
      for (MeasuredAction& a : inferred_actions(t, cpu)) {
        on_kernels(a, a.start, a.end);
        rec.actions.push_back(a);
      }
    }
  }
  // c10d's send and receive operators too: an isend's transfer starts when
  // c10d::send posts it, before gloo's annotation (its wait) begins.
  {
    for (const TraceEvent* e : cpu) {
      const std::string_view name = t.names[static_cast<std::size_t>(e->name)];
      if (e->category == EventCategory::CpuOp && name.starts_with("c10d::") &&
          (name.find("send") != std::string_view::npos || name.find("recv") != std::string_view::npos)) {
        rec.comms.push_back({e->start_ns, e->end_ns, name.find("send") != std::string_view::npos});
      }
    }
  }
  // On a GPU, NCCL's kernels are the transfers (they include waiting for the peer).
  if (rec.gpu) {
    std::vector<MeasuredComm> device;
    for (const TraceEvent& e : t.events) {
      const std::string_view name = t.names[static_cast<std::size_t>(e.name)];
      if (e.category == EventCategory::Kernel && is_comm_kernel(name) && e.start_ns >= s0) {
        device.push_back({e.start_ns, e.end_ns, is_send_kernel(name)});
      }
    }
    if (!device.empty()) rec.comms = std::move(device);
  }
  std::sort(rec.actions.begin(), rec.actions.end(),
            [](const MeasuredAction& a, const MeasuredAction& b) { return a.start < b.start; });
  // Collectives run on gloo's and NCCL's own threads (and on a GPU's
  // streams): any thread's, inside the step.
  {
    const bool kernels_only = rec.gpu;
    for (const TraceEvent& e : t.events) {
      if (e.start_ns < s0 || e.start_ns >= s1) continue;
      const bool wanted = kernels_only ? e.category == EventCategory::Kernel : e.category == EventCategory::UserAnnotation;
      if (!wanted) continue;
      std::string name = collective_name(t.names[static_cast<std::size_t>(e.name)]);
      if (!name.empty()) rec.collectives.push_back({e.start_ns, e.end_ns, std::move(name)});
    }
    std::sort(rec.collectives.begin(), rec.collectives.end(),
              [](const MeasuredCollective& a, const MeasuredCollective& b) { return a.start < b.start; });
  }
  rec.operators = operator_times(t, cpu, rec.actions, rec.gpu, s0, s1);
  std::sort(rec.comms.begin(), rec.comms.end(), [](const MeasuredComm& a, const MeasuredComm& b) { return a.start < b.start; });
  // The file's clock onto its host's: baseTimeNanoseconds is where it starts.
  const std::int64_t base = t.base_time_ns;
  if (base != 0) {
    for (MeasuredAction& a : rec.actions) {
      a.start += base;
      a.end += base;
    }
    for (MeasuredComm& c : rec.comms) {
      c.start += base;
      c.end += base;
    }
    for (MeasuredCollective& c : rec.collectives) {
      c.start += base;
      c.end += base;
    }
    rec.step_start += base;
    rec.step_end += base;
  }
  return rec;
}

}  // namespace pipescope::detail
