#include "pipescope/model/params.hpp"

#include "pipescope/schedule/auto_schedule.hpp"
#include "pipescope/measured/measured_plan.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "cost_bounds.hpp"

namespace pipescope {

std::vector<ParamError> real_units_rules(const Params& p);

namespace {

// Of the parameters that drive a count, the one furthest above its default:
// the one to name when the count is too big (a person who typed
// --dp 222223 should read "dp", not "microbatches").
struct Driver {
  const char* name;
  double value, usual;
};
const char* main_driver(std::initializer_list<Driver> drivers) {
  const Driver* best = drivers.begin();
  for (const Driver& d : drivers) {
    if (d.value / d.usual > best->value / best->usual) best = &d;
  }
  return best->name;
}

// Whether a schedule file fixes this parameter (it sets pp and microbatches).
bool set_by_file(const Params& p, std::string_view name) {
  return p.schedule_file && (name == "pp" || name == "microbatches");
}

// What to do about a count over its cap: lower the parameter, or, when a
// schedule file sets it, use a file with less of it.
std::string remedy(const Params& p, std::string_view name) {
  if (!set_by_file(p, name)) return fmt::format("lower {}", name);
  return fmt::format("{} sets {} to {}: use a schedule with fewer", p.schedule_file->name, name,
                     name == "pp" ? p.pp : p.microbatches);
}

// The value of a size parameter by its notebook name, as the user gave it.
std::int64_t given(const Params& p, std::string_view name) {
  return param_spec(name)->given(p).value_or(0);
}

// v rounded up at `digits` significant digits, so advice that quotes it is
// never just under the bound it states ("31.1 or more" where 31.06 is needed).
double round_up(double v, int digits) {
  if (!(v > 0) || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(v))));
  return std::ceil(v * scale * (1 - 1e-12)) / scale;
}

// The renderer stores coordinates as 32-bit floats: whole units stay exact
// up to 2^24, so a scene must fit in that along every axis.
constexpr double kMaxCoordinate = 16'777'216;

}  // namespace

std::string_view model_name(CostModel m) { return m == CostModel::Transformer ? "transformer" : "notebook"; }

std::optional<CostModel> model_from_name(std::string_view name) {
  if (name == "notebook") return CostModel::Notebook;
  if (name == "transformer") return CostModel::Transformer;
  return std::nullopt;
}

DrawnSizes drawn_sizes(const Params& p) {
  const double replica_rows = static_cast<double>(p.B) / static_cast<double>(p.dp);
  if (p.model == CostModel::Notebook) return {p.d_model, p.hidden(), replica_rows};
  // A real layer is drawn 16 units long (the notebook's), its width and a
  // microbatch's tokens at the same scale, never under a unit (a microbatch
  // at least 2 rows, so its faces stay visible).
  const double scale = 16.0 / static_cast<double>(std::max(p.hidden(), p.d_model));
  auto drawn = [&](double v) { return std::max<std::int64_t>(1, std::llround(v * scale)); };
  const double tokens = static_cast<double>(p.seq_len) * replica_rows / static_cast<double>(p.microbatches);
  const double rows = static_cast<double>(std::max<std::int64_t>(2, std::min<std::int64_t>(16, drawn(tokens))));
  return {drawn(static_cast<double>(p.d_model)), drawn(static_cast<double>(p.hidden())),
          rows * static_cast<double>(p.microbatches)};
}

double estimated_object_count(const Params& p) {
  const double dp = static_cast<double>(p.dp), pp = static_cast<double>(p.pp);
  const double L = static_cast<double>(p.L), mb = static_cast<double>(p.microbatches);
  // Per replica: W1+W2 per layer, h/x/F1/F2 per layer and microbatch, one
  // stage input per stage and microbatch, a send per stage boundary and
  // microbatch, and (all but the last replica) two exchanges per layer.
  const double stages = pp * static_cast<double>(p.stages_per_rank());
  // With tp, a tp all-reduce per layer and microbatch and one per stage input.
  const double tensor_reduces = p.tp > 1 ? L * mb + stages * mb : 0;
  const double per_replica = 2 * L + 4 * L * mb + stages * mb + (stages - 1) * mb + tensor_reduces;
  return dp * per_replica + (dp - 1) * 2 * L;
}

double estimated_frame_count(const Params& p) {
  const double pp = static_cast<double>(p.pp), mb = static_cast<double>(p.microbatches);
  const double per_stage = static_cast<double>(p.L) / pp;
  const double stage_steps = 2 * per_stage + 1;
  const double send = 2 * static_cast<double>(p.pp_comm_steps) + 2;
  const double exchange = p.dp > 1 ? per_stage * (4 * static_cast<double>(p.dp_comm_steps) + 4) : 0;
  const double forward = 2 + (mb - 1) * stage_steps + pp * stage_steps + (pp - 1) * send;
  const double backward = (mb - 1) * stage_steps + pp * stage_steps + (pp - 1) * send + 1;
  const double weights = per_stage * 2 * mb + exchange + 20;
  return forward + backward + weights;
}

// An upper bound of a real-time step's length in ns, without simulating it:
// every pass, send and exchange one after another.
static double serial_nanoseconds(const Params& p) {
  const Costs c = costs_for(p);
  const double m = static_cast<double>(p.microbatches);
  double total = 0;
  for (int s = 0; s < p.stages(); ++s) {
    total += m * static_cast<double>(c.f_of(s) + c.i_of(s) + c.w_of(s));
  }
  total += 2 * static_cast<double>(p.stages() - 1) * m * static_cast<double>(c.send);
  total += static_cast<double>(p.L) * 2 * static_cast<double>(c.exchange_flash);
  return total;
}

// The same bound for the notebook's frames, all in floating point (no cost
// can overflow on the way), frame 0 and the last writes' frame included.
static double frames_at_most(const Params& p) {
  if (p.is_notebook()) return estimated_frame_count(p);
  const double layers = static_cast<double>(p.layers_per_stage()), m = static_cast<double>(p.microbatches);
  const double stages = static_cast<double>(p.stages());
  const double pass = (2 * layers + 1) * static_cast<double>(p.cost_f) + (2 * layers + 1) * static_cast<double>(p.cost_i) +
                      2 * layers * static_cast<double>(p.cost_w);
  const double send = p.pp_comm_steps == 0 ? 0 : 2 * static_cast<double>(p.pp_comm_steps) + 2;
  const double flash = p.dp > 1 && p.dp_comm_steps > 0 ? 2 * static_cast<double>(p.dp_comm_steps) + 2 : 0;
  return stages * m * pass + 2 * (stages - 1) * m * send + static_cast<double>(p.L) * 2 * flash + 2;
}

double frame_count(const Params& p) {
  if (p.real_time()) {
    // The animator holds the last frame until the step's end is shown; a
    // measured step animates as it ran.
    const SchedulePlan plan = p.measured ? measured_plan(p) : make_plan(p);
    return static_cast<double>(plan.frame_of(plan.timing.makespan) + 1);
  }
  if (p.is_notebook()) return estimated_frame_count(p);
  // Any one pass, send or exchange longer than the cap puts the whole over it;
  // checked in floating point first so the simulation's integers cannot overflow.
  const double layers = static_cast<double>(p.L) / static_cast<double>(p.stages());
  const double longest = std::max({(2 * layers + 1) * static_cast<double>(std::max({p.cost_f, p.cost_i, p.cost_w})),
                                   p.pp > 1 ? 2 * static_cast<double>(p.pp_comm_steps) + 2 : 0.0,
                                   p.dp > 1 ? 2 * static_cast<double>(p.dp_comm_steps) + 2 : 0.0});
  if (longest > kMaxFrames) return longest;
  // Frame 0 is the scene before the first step; the frame after the last
  // action's end holds its final writes (a flop cuboid going dark).
  return static_cast<double>(make_plan(p).timing.makespan) + 1;
}

std::vector<ParamError> validate(const Params& p, ValidationScope scope) {
  std::vector<ParamError> out;
  const Params usual;  // the notebook's defaults
  for (const ParamSpec& spec : param_table()) {
    std::string broken;
    switch (spec.type()) {
      case ParamType::Integer: {
        // Unset, an optional one follows what it derives from, whose own rule speaks for it.
        const auto value = spec.given(p);
        if (value) broken = spec.out_of_range(static_cast<double>(*value));
        break;
      }
      case ParamType::Number: broken = spec.out_of_range(p.*spec.number); break;
      case ParamType::OptionalNumber:
        if (const auto v = p.*spec.optional_number) broken = spec.out_of_range(*v);
        break;
      case ParamType::Choice: {
        const std::int64_t i = p.*spec.value;
        if (i < 0 || static_cast<std::size_t>(i) >= spec.choices.size()) {
          broken = fmt::format("{} is {}, but it must be {}", spec.key, i, spec.choice_list());
        }
        break;
      }
      case ParamType::PerStage: {
        const auto& list = p.*spec.per_stage;
        for (std::size_t i = 0; i < list.size() && broken.empty(); ++i) {
          broken = spec.out_of_range(list[i]);
          if (!broken.empty() && list.size() > 1) broken = fmt::format("stage {}: {}", i, broken);
        }
        break;
      }
    }
    if (!broken.empty()) out.push_back({std::string(spec.key), broken});
  }
  if (!out.empty()) return out;  // the rules below assume positive counts

  const ScheduleInfo& schedule = schedule_info(p.schedule);
  const std::int64_t v = p.stages_per_rank();
  if (p.schedule_file) {  // the file fixes the pipeline's shape
    const Program& prog = p.schedule_file->program;
    const std::string& name = p.schedule_file->name;
    if (p.pp != prog.ranks) {
      out.push_back({"pp", fmt::format("pp is {}, but {} has {} ranks (one row each): give {} or leave pp out",
                                       p.pp, name, prog.ranks, prog.ranks)});
    }
    if (p.microbatches != prog.microbatches) {
      out.push_back({"microbatches", fmt::format("microbatches is {}, but {} runs {} (0..{}): give {} or leave "
                                                 "microbatches out",
                                                 p.microbatches, name, prog.microbatches, prog.microbatches - 1,
                                                 prog.microbatches)});
    }
    if (p.chunks && *p.chunks != v) {
      out.push_back({"chunks", fmt::format("chunks is {}, but {} puts {} stages on each rank: give {} or leave "
                                           "chunks out",
                                           *p.chunks, name, v, v)});
    }
    if (!out.empty()) return out;
  } else if (v < schedule.min_chunks || v > schedule.max_chunks) {  // before v multiplies anything
    out.push_back({"chunks", schedule_rule_broken(p.schedule, p.pp, p.microbatches, v)->message});
    return out;
  }

  // Extents, in floating point so that no size can overflow on the way. A
  // real model is drawn at a scale (drawn_sizes): its own sizes are never extents.
  const bool scene = scope == ValidationScope::Scene;
  const bool drawn_as_given = p.model == CostModel::Notebook;
  const double L = static_cast<double>(p.L);
  const double d_model = drawn_as_given ? static_cast<double>(p.d_model) : 16;
  const double hidden = !drawn_as_given ? 16 : p.d_hidden ? static_cast<double>(*p.d_hidden) : 2 * d_model;
  const char* hidden_name = p.d_hidden ? "d_hidden" : "d_model";
  const double stages = static_cast<double>(p.pp) * static_cast<double>(v);
  const double pp_gap = static_cast<double>(p.pp_gpu_delta), dp_gap = static_cast<double>(p.dp_gpu_delta);
  const double dp = static_cast<double>(p.dp);
  const double B = drawn_as_given ? static_cast<double>(p.B) : 16 * static_cast<double>(p.microbatches) * dp;
  const double x_extent = L * hidden + (stages - 1) * pp_gap;
  if (scene && x_extent > kMaxCoordinate) {
    const char* culprit = L * hidden >= (stages - 1) * pp_gap
                              ? main_driver({{"L", L, static_cast<double>(usual.L)},
                                             {hidden_name, hidden, 2 * static_cast<double>(usual.d_model)}})
                              : main_driver({{"pp_gpu_delta", pp_gap, static_cast<double>(usual.pp_gpu_delta)},
                                             {"pp", stages, static_cast<double>(usual.pp)}});
    out.push_back({culprit, fmt::format("{} is {}, but the scene would reach {:.0f} units along the layer axis "
                                        "(L x d_hidden plus the gaps between stages); coordinates stay exact "
                                        "up to {:.0f}: lower {}",
                                        culprit, given(p, culprit), x_extent, kMaxCoordinate, culprit)});
  }
  const double y_extent = B + (dp - 1) * dp_gap;
  if (scene && y_extent > kMaxCoordinate) {
    const char* culprit = B >= (dp - 1) * dp_gap ? "B"
                          : main_driver({{"dp_gpu_delta", dp_gap, static_cast<double>(usual.dp_gpu_delta)},
                                         {"dp", dp, static_cast<double>(usual.dp)}});
    out.push_back({culprit, fmt::format("{} is {}, but the scene would reach {:.0f} units along the batch axis "
                                        "(B plus the gaps between replicas); coordinates stay exact up to "
                                        "{:.0f}: lower {}",
                                        culprit, given(p, culprit), y_extent, kMaxCoordinate, culprit)});
  }
  const bool d_model_named = std::any_of(out.begin(), out.end(), [](const ParamError& e) { return e.field == "d_model"; });
  if (scene && 2 * d_model > kMaxCoordinate && !d_model_named) {
    out.push_back({"d_model", fmt::format("d_model is {}, but the scene would reach {:.0f} units along the "
                                          "d_model axis; coordinates stay exact up to {:.0f}: lower d_model",
                                          p.d_model, 2 * d_model, kMaxCoordinate)});
  }
  if (!out.empty()) return out;

  if (v == 1 && p.L % p.pp != 0) {
    out.push_back({"L", fmt::format("L is {}, but it must be a multiple of pp ({}): every pipeline "
                                    "stage holds the same number of layers",
                                    p.L, p.pp)});
  } else if (p.L % p.pp != 0 || (p.L / p.pp) % v != 0) {
    out.push_back({"L", fmt::format("L is {}, but it must be a multiple of pp x chunks ({} x {}): every "
                                    "pipeline stage holds the same number of layers",
                                    p.L, p.pp, v)});
  }
  // Sizes are checked against their own caps so the message names the real culprit.
  const double objects = estimated_object_count(p);
  if (scene && objects > kMaxObjects) {
    const char* culprit = main_driver({{"microbatches", static_cast<double>(p.microbatches),
                                        static_cast<double>(usual.microbatches)},
                                       {"dp", dp, static_cast<double>(usual.dp)},
                                       {"L", L, static_cast<double>(usual.L)}});
    out.push_back({culprit,
                   fmt::format("dp {} x L {} x microbatches {} would need {:.0f} scene objects; the limit is {:.0f}: {}",
                               p.dp, p.L, p.microbatches, objects, kMaxObjects, remedy(p, culprit)),
                   set_by_file(p, culprit)});
  }
  if (out.empty() && !p.schedule_file) {  // the counts are bounded now: the schedule's rules may build it
    if (auto rule = schedule_rule_broken(p.schedule, p.pp, p.microbatches, v)) {
      out.push_back({rule->field, rule->message});
    }
  }
  if (out.empty()) {
    for (const auto& e : real_units_rules(p)) out.push_back(e);
  }
  if (out.empty()) {
    for (const auto& e : cost_bound_rules(p)) out.push_back(e);
  }
  if (out.empty() && !p.schedule_file && p.schedule == ScheduleKind::Auto) {
    // Every order holds at least one microbatch on each of a rank's stages.
    const std::vector<double> least = least_auto_memory_bytes(p);
    const auto worst = std::max_element(least.begin(), least.end());
    const double gib = *worst / (1024.0 * 1024 * 1024);
    if (*worst > p.gpu_memory_gib * 1024 * 1024 * 1024) {
      out.push_back({"gpu_memory_gib",
                     fmt::format("gpu_memory_gib is {}, but no order fits: rank {} needs at least {:.4g} GiB (its "
                                 "static memory and one microbatch's activations on each of its stages); give "
                                 "--gpu-memory-gib {} or more, or more pipeline ranks",
                                 number_text(p.gpu_memory_gib), worst - least.begin(), gib,
                                 number_text(round_up(gib, 3)))});
    }
  }
  if (out.empty() && p.real_time()) {
    // A bound, not a simulation: validation stays cheap at any size.
    if (scene && p.frame_us > 0) {
      const double frames = serial_nanoseconds(p) / (p.frame_us * 1000) + 2;
      if (frames > kMaxFrames) {
        // The step's length bounds frame_us from below: say the least that works.
        const double least_us = serial_nanoseconds(p) / 1000 / (kMaxFrames - 2);
        out.push_back({"frame_us", fmt::format("frame_us is {}, but a step of up to {:.4g} us would animate up to "
                                               "{:.4g} frames; the limit is {:.0f}: give --frame-us {:.4g} or "
                                               "more (0 picks one)",
                                               number_text(p.frame_us), serial_nanoseconds(p) / 1000, frames,
                                               kMaxFrames, round_up(least_us, 4))});
      }
    }
  } else if (out.empty()) {
    // Simulated only when no bound settles it: a step lasts at most all its
    // work, sends and exchanges one after another.
    const double frames = frames_at_most(p) <= kMaxFrames ? 0 : frame_count(p);
    if (frames > kMaxFrames) {
      auto comm = [](std::int64_t steps) { return static_cast<double>(steps) + 1; };
      const char* culprit = main_driver({
          {"microbatches", static_cast<double>(p.microbatches), static_cast<double>(usual.microbatches)},
          {"L", L, static_cast<double>(usual.L)},
          {"pp_comm_steps", p.pp > 1 ? comm(p.pp_comm_steps) : 0, comm(usual.pp_comm_steps)},
          {"dp_comm_steps", p.dp > 1 ? comm(p.dp_comm_steps) : 0, comm(usual.dp_comm_steps)},
          {"cost_f", static_cast<double>(p.cost_f), 1},
          {"cost_i", static_cast<double>(p.cost_i), 1},
          {"cost_w", static_cast<double>(p.cost_w), 1},
      });
      out.push_back({culprit,
                     fmt::format("these parameters would animate {:.0f} frames; the limit is {:.0f}: {}", frames,
                                 kMaxFrames, remedy(p, culprit)),
                     set_by_file(p, culprit)});
    }
  }
  return out;
}

// Tensor parallelism, ZeRO, recomputation and the transformer's own shape
// mean nothing for the notebook's MLP: refused rather than ignored.
static std::vector<ParamError> transformer_only_rules(const Params& p) {
  std::vector<ParamError> out;
  if (p.model == CostModel::Transformer) return out;
  const Params usual;
  for (const ParamSpec& spec : param_table()) {
    static constexpr std::string_view kTransformerOnly[] = {"kv_heads",       "mlp",          "attention",
                                                            "experts",        "top_k",        "expert_d_hidden",
                                                            "shared_experts", "dense_layers"};
    if (spec.group != ParamGroup::Parallelism &&
        std::find(std::begin(kTransformerOnly), std::end(kTransformerOnly), spec.key) == std::end(kTransformerOnly)) {
      continue;
    }
    if (spec.text(p) == spec.text(usual)) continue;
    out.push_back({std::string(spec.key), fmt::format("{} is {}, but it applies to a transformer only (the notebook's "
                                                      "MLP has no heads, tensor parallelism or optimizer): give "
                                                      "--model transformer, or leave {} out",
                                                      spec.key, spec.text(p), spec.flag)});
  }
  return out;
}

// Megatron's rules for cutting a layer over tp GPUs.
static std::vector<ParamError> parallelism_rules(const Params& p) {
  std::vector<ParamError> out;
  const std::int64_t heads = p.effective_heads(), kv = p.effective_kv_heads();
  if (p.kv_heads && heads % kv != 0) {
    out.push_back({"kv_heads", fmt::format("kv_heads is {}, but heads ({}) must be a multiple of it: each key-value "
                                           "head serves the same number of query heads",
                                           kv, heads)});
  }
  if (p.kv_heads && kv > heads) return out;  // said above
  if (heads % p.tp != 0) {
    out.push_back({"tp", fmt::format("tp is {}, but it must divide heads ({}): tensor parallelism gives every GPU "
                                     "whole heads{}",
                                     p.tp, heads, p.heads ? "" : " (heads is d_model / 128 unless --heads is given)")});
  } else if (kv % p.tp != 0) {
    out.push_back({"tp", fmt::format("tp is {}, but it must divide kv_heads ({}): every GPU holds whole key-value "
                                     "heads",
                                     p.tp, kv)});
  }
  if (p.hidden() % p.tp != 0) {
    out.push_back({"tp", fmt::format("tp is {}, but it must divide d_hidden ({}): the MLP's columns are split over "
                                     "the tp GPUs",
                                     p.tp, p.hidden())});
  }
  if (p.cp > 1 && p.seq_len % (2 * p.cp) != 0) {
    out.push_back({"cp", fmt::format("cp is {}, but 2 x cp ({}) must divide seq_len ({}): each GPU takes two "
                                     "chunks of the sequence (one early, one late, to balance causal attention)",
                                     p.cp, 2 * p.cp, p.seq_len)});
  }
  if (p.sp && p.tp == 1) {
    out.push_back({"sp", "sp is 1, but sequence parallelism splits activations over the tensor-parallel GPUs: give "
                         "--tp 2 or more, or leave --sp out"});
  }
  if (p.experts == 0 && (p.ep > 1 || p.shared_experts > 0 || p.dense_layers > 0 || p.expert_d_hidden)) {
    const char* field = p.ep > 1 ? "ep" : p.shared_experts > 0 ? "shared_experts" : p.dense_layers > 0 ? "dense_layers"
                                                                                                    : "expert_d_hidden";
    out.push_back({field, fmt::format("{} is set, but there are no experts: give --experts E for a mixture of "
                                      "experts, or leave {} out",
                                      field, field)});
  } else if (p.experts > 0) {
    if (p.top_k > p.experts) {
      out.push_back({"top_k", fmt::format("top_k is {}, but there are only {} experts to route a token to", p.top_k,
                                          p.experts)});
    }
    if (p.experts % p.ep != 0) {
      out.push_back({"ep", fmt::format("ep is {}, but it must divide experts ({}): every GPU holds the same number "
                                       "of experts",
                                       p.ep, p.experts)});
    }
    if ((p.dp * p.cp) % p.ep != 0) {
      out.push_back({"ep", fmt::format("ep is {}, but it must divide dp x cp ({} x {}): expert parallelism is carved "
                                       "from the GPUs that hold the same layers (Megatron's placement)",
                                       p.ep, p.dp, p.cp)});
    }
    if (p.dense_layers > p.L) {
      out.push_back({"dense_layers", fmt::format("dense_layers is {}, but there are only {} layers", p.dense_layers,
                                                 p.L)});
    }
    if (p.effective_expert_d_hidden() % p.tp != 0) {
      out.push_back({"tp", fmt::format("tp is {}, but it must divide expert_d_hidden ({}): each expert's columns "
                                       "are split over the tp GPUs",
                                       p.tp, p.effective_expert_d_hidden())});
    }
  }
  if (p.grad_bytes && *p.grad_bytes == 3) {
    out.push_back({"grad_bytes", "grad_bytes is 3, but it must be 2 (bf16 gradients) or 4 (fp32 main gradients)"});
  }
  return out;
}

std::vector<ParamError> real_units_rules(const Params& p) {
  std::vector<ParamError> out = transformer_only_rules(p);
  if (!out.empty()) return out;
  if (p.model == CostModel::Transformer) {
    out = parallelism_rules(p);
    const std::int64_t heads = p.effective_heads();
    if (p.d_model % heads != 0) {
      const char* field = p.heads ? "heads" : "d_model";
      out.push_back({field, fmt::format("{} is {}, but d_model ({}) must be a multiple of heads ({}): every head "
                                        "is d_model / heads wide",
                                        field, p.heads ? heads : p.d_model, p.d_model, heads)});
    }
    if (p.B % (p.dp * p.microbatches) != 0) {
      out.push_back({"B", fmt::format("B is {}, but a transformer's batch (in sequences) must be a multiple of dp x "
                                      "microbatches ({} x {} = {}): every microbatch holds whole sequences",
                                      p.B, p.dp, p.microbatches, p.dp * p.microbatches)});
    }
  }
  for (const auto* key : {"time_f", "time_i", "time_w"}) {
    const auto& list = p.*param_spec(key)->per_stage;
    if (list.size() > 1 && static_cast<std::int64_t>(list.size()) != p.stages()) {
      out.push_back({key, fmt::format("{} has {} values, but there are {} stages (pp {} x chunks {}): give one "
                                      "value for all or one per stage",
                                      key, list.size(), p.stages(), p.pp, p.stages_per_rank())});
    }
  }
  // Measured times replace all three passes or none: a measured pass beside a
  // modelled one mixes two clocks (and the notebook's frames have no microseconds).
  const bool f = !p.time_f.empty(), i = !p.time_i.empty(), w = !p.time_w.empty();
  if (out.empty() && (f || i || w) && !(f && i && w)) {
    const char* missing = !f ? "time_f" : !i ? "time_i" : "time_w";
    out.push_back({missing, fmt::format("{} is not given: give --time-f, --time-i and --time-w together (measured "
                                        "times replace the model's for all three passes), or none of them",
                                        missing)});
  }
  return out;
}

static std::string join_messages(const std::vector<ParamError>& errors) {
  std::string s;
  for (const auto& e : errors) s += (s.empty() ? "" : "; ") + e.message;
  return s;
}

InvalidParams::InvalidParams(std::vector<ParamError> errs)
    : std::runtime_error(join_messages(errs)), errors(std::move(errs)) {}

}  // namespace pipescope
