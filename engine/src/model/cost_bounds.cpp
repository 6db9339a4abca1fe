// Bounds on a real-time model's costs: every pass, send and exchange flash,
// and the step's work one after another. Past them a figure is a typo (a
// sequence of 2^31 tokens, a GPU of 1e-300 TFLOP/s), and the simulation's
// integer nanoseconds would overflow into negative or impossible figures.
#include "cost_bounds.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "pipescope/model/param_table.hpp"
#include "pipescope/model/cost_model.hpp"

namespace pipescope {

namespace {

struct Longest {
  double ns = 0;
  std::string what;
};

// The longest pass, send or exchange flash. A NaN (0 x infinity) counts as the longest.
Longest longest_cost(const RealCostNanoseconds& c) {
  Longest out;
  auto consider = [&](double ns, std::string_view what, std::size_t stage) {
    if (ns <= out.ns) return;
    out = {ns, stage == SIZE_MAX ? std::string(what) : fmt::format("{} of stage {}", what, stage)};
  };
  for (std::size_t s = 0; s < c.per_stage.size(); ++s) {
    consider(c.per_stage[s].f, "a forward", s);
    consider(c.per_stage[s].i, "a backward through the input", s);
    consider(c.per_stage[s].w, "a weight gradient", s);
  }
  consider(c.send, "a pipeline send", SIZE_MAX);
  consider(c.exchange_flash, "half a layer's gradient all-reduce", SIZE_MAX);
  return out;
}

// Every pass, send and exchange one after another: no step lasts longer.
double serial_ns(const Params& p, const RealCostNanoseconds& c) {
  const double m = static_cast<double>(p.microbatches);
  double total = 0;
  for (const auto& s : c.per_stage) total += m * (s.f + s.i + s.w);
  total += 2 * static_cast<double>(c.per_stage.size() - 1) * m * c.send;
  total += static_cast<double>(p.L) * 2 * c.exchange_flash;
  return total + c.step_tail;
}

// What drives a cost: the parameter whose default, put back, shrinks it most.
// Only those that differ from their default are candidates, and only rates
// and sizes: putting back a count (layers, batch, microbatches) can leave a
// stage with no layer at all, which "shrinks" every cost to nothing.
constexpr const char* kCostDrivers[] = {"seq_len", "d_model", "d_hidden", "heads", "vocab", "gpu_tflops", "mfu",
                                        "p2p_gbps", "p2p_latency_us", "dp_gbps", "time_f", "time_i", "time_w",
                                        "intra_node_gbps", "inter_node_gbps", "gpu_memory_gbps", "matmul_knee_gflop",
                                        "attention_score_bytes", "collective_efficiency", "layer_floor_us",
                                        "pass_overhead_us", "step_overhead_ms", "kv_heads", "experts", "top_k",
                                        "expert_d_hidden", "shared_experts"};

void put_back_default(const ParamSpec& spec, Params& q, const Params& usual) {
  if (spec.value) q.*spec.value = usual.*spec.value;
  if (spec.optional) q.*spec.optional = usual.*spec.optional;
  if (spec.number) q.*spec.number = usual.*spec.number;
  if (spec.optional_number) q.*spec.optional_number = usual.*spec.optional_number;
  if (spec.per_stage) q.*spec.per_stage = usual.*spec.per_stage;
}

struct Driver {
  const ParamSpec* spec = nullptr;
  bool raise = false;  // the default is larger: raise it
};

template <typename Measure>
Driver main_cost_driver(const Params& p, Measure measure) {
  const Params usual;
  Driver best;
  double least = measure(p);
  for (const char* key : kCostDrivers) {
    const ParamSpec& spec = *param_spec(key);
    if (spec.text(p) == spec.text(usual)) continue;
    Params q = p;
    put_back_default(spec, q, usual);
    const double m = measure(q);
    if (!(m < least)) continue;
    least = m;
    best.spec = &spec;
    const bool per_stage = spec.per_stage != nullptr;
    // An unset bandwidth is the cluster's: a given one that costs more is too low.
    best.raise = spec.optional_number ||
                 (!per_stage && (spec.number ? usual.*spec.number > p.*spec.number : spec.effective(usual) > spec.effective(p)));
  }
  return best;
}

std::string duration_text(double ns) {
  if (!std::isfinite(ns)) return "forever";
  const double s = ns / 1e9;
  if (s < 3600) return fmt::format("{:.3g} s", s);
  if (s < 86400 * 365) return fmt::format("{:.3g} hours", s / 3600);
  return fmt::format("{:.3g} years", s / (86400 * 365.25));
}

std::string advice(const Driver& d) {
  if (!d.spec) return "lower the model's sizes or raise the hardware's speeds";
  return fmt::format("{} {}", d.raise ? "raise" : "lower", d.spec->key);
}

ParamError cost_error(const Params& p, const Driver& d, const std::string& rest) {
  const std::string_view field = d.spec ? d.spec->key : std::string_view("seq_len");
  const std::string head = d.spec ? fmt::format("{} is {}, but ", d.spec->key, d.spec->text(p)) : std::string();
  std::string message = head + rest + ": " + advice(d);
  if (head.empty() && !message.empty()) message[0] = static_cast<char>(std::toupper(message[0]));
  return {std::string(field), message};
}

}  // namespace

std::vector<ParamError> cost_bound_rules(const Params& p) {
  std::vector<ParamError> out;
  if (!p.real_time()) return out;
  const RealCostNanoseconds costs = real_cost_nanoseconds(p);
  const Longest longest = longest_cost(costs);
  if (!(longest.ns <= kMaxPassNanoseconds)) {
    const Driver d = main_cost_driver(p, [](const Params& q) { return longest_cost(real_cost_nanoseconds(q)).ns; });
    out.push_back(cost_error(p, d,
                             fmt::format("{} would take {}; a pass, send or exchange may take at most an hour",
                                         longest.what, duration_text(longest.ns))));
    return out;
  }
  const double step = serial_ns(p, costs);
  if (!(step <= kMaxStepNanoseconds)) {
    auto measure = [](const Params& q) { return serial_ns(q, real_cost_nanoseconds(q)); };
    Driver d = main_cost_driver(p, measure);
    // No rate or size alone makes it: the step has too many passes.
    if (d.spec) {
      Params q = p;
      put_back_default(*d.spec, q, Params{});
      if (!(measure(q) <= kMaxStepNanoseconds)) d = {};
    }
    if (!d.spec) d = {param_spec("microbatches"), false};
    out.push_back(cost_error(p, d,
                             fmt::format("the step's passes, sends and exchanges add up to {}; a step may take at "
                                         "most 30 days",
                                         duration_text(step))));
  }
  return out;
}

}  // namespace pipescope
