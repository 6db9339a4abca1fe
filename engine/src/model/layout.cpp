#include "pipescope/model/layout.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "pipescope/model/layer_view.hpp"

namespace pipescope {

namespace {

constexpr ObjectIndex kNone = std::numeric_limits<ObjectIndex>::max();

// An integer range on one axis; the notebook's x and z coordinates are all
// integers, only y (the batch axis) is fractional.
Box make_box(std::int64_t x0, std::int64_t x1, double y0, double y1, std::int64_t z0,
             std::int64_t z1) {
  Box b;
  b.lo = {static_cast<double>(std::min(x0, x1)), std::min(y0, y1),
          static_cast<double>(std::min(z0, z1))};
  b.hi = {static_cast<double>(std::max(x0, x1)), std::max(y0, y1),
          static_cast<double>(std::max(z0, z1))};
  return b;
}

// The notebook draws a face with np.full_like(grid, depth), which casts the
// depth to the grid's dtype: where the grid's first axis holds integers, a
// fractional batch coordinate is truncated. Weight faces (at y = B_end) and
// the batch-axis caps of every cuboid land on the truncated value, so the
// drawn geometry, and the recorded bounding boxes, use it too.
double notebook_depth(double y) { return std::trunc(y); }

// A cuboid's box is the union of its six faces: its batch-axis caps sit at
// the truncated depth while its side faces span the exact range.
Box cuboid_box(std::int64_t x0, std::int64_t x1, double y0, double y1, std::int64_t z0,
               std::int64_t z1) {
  return make_box(x0, x1, std::min(y0, notebook_depth(y0)), std::max(y1, notebook_depth(y1)), z0, z1);
}

}  // namespace

Layout::Layout(const Params& params) : params_(params) {
  if (auto errors = validate(params); !errors.empty()) throw InvalidParams(std::move(errors));
  L_ = static_cast<std::size_t>(params.L);
  stages_ = static_cast<std::size_t>(params.stages());
  mb_ = static_cast<std::size_t>(params.microbatches);
  const std::size_t dp = static_cast<std::size_t>(params.dp);
  objects_.reserve(static_cast<std::size_t>(estimated_object_count(params)));
  for (auto* v : {&weights1_, &weights2_, &all_reduce1_, &all_reduce2_}) v->assign(dp * L_, kNone);
  for (auto* v : {&hidden_, &residual_, &flop1_, &flop2_}) v->assign(dp * L_ * mb_, kNone);
  for (auto* v : {&stage_input_, &pipe_send_}) v->assign(dp * stages_ * mb_, kNone);
  if (params.tp > 1) {
    tensor_reduce_.assign(dp * L_ * mb_, kNone);
    tensor_reduce_in_.assign(dp * stages_ * mb_, kNone);
  }
  for (std::size_t r = 0; r < dp; ++r) build_replica(static_cast<int>(r));
  if (folds_stages(params)) fold_stages();
}

Layout::Layout(const Params& params, LayerViewTag) : params_(params) {
  if (auto errors = validate(params); !errors.empty()) throw InvalidParams(std::move(errors));
  if (params.model != CostModel::Transformer) {
    throw InvalidParams(std::vector<ParamError>{{"model", "the layer view shows a transformer's layer: give --model transformer"}});
  }
  L_ = static_cast<std::size_t>(params.L);
  stages_ = static_cast<std::size_t>(params.stages());
  mb_ = static_cast<std::size_t>(params.microbatches);
  layer_view_ = std::make_unique<const LayerView>(build_layer_view(params, objects_));
}

Layout::~Layout() = default;

bool folds_stages(const Params& p) {
  if (!p.real_time() || p.stages() < 2) return false;
  // Only a long row: a few layers read well in one (and keep their replicas apart).
  const DrawnSizes drawn = drawn_sizes(p);
  return static_cast<double>(drawn.d_hidden) * static_cast<double>(p.L) > 32.0 * static_cast<double>(drawn.d_model);
}

// Built as one row, then folded: each stage moved to x = 0 on its own floor,
// odd stages mirrored so the row snakes; a send becomes the connector at
// the turn, from its stage's floor down to the next.
void Layout::fold_stages() {
  const DrawnSizes drawn = drawn_sizes(params_);
  const double d_model = static_cast<double>(drawn.d_model);
  const std::int64_t per_stage = params_.layers_per_stage();
  const double width = static_cast<double>(drawn.d_hidden * per_stage);
  const double floor_height = 3.0 * d_model;
  std::vector<double> start(stages_);
  for (std::size_t s = 0; s < stages_; ++s) start[s] = objects_[weights1_[s * static_cast<std::size_t>(per_stage)]].box.lo[0];
  for (SceneObject& o : objects_) {
    const std::size_t s = is_per_stage(o.kind) ? o.layer : o.layer / static_cast<std::size_t>(per_stage);
    const double down = static_cast<double>(s) * floor_height;
    if (o.kind == ObjectKind::PipeSend) {
      // At the turn: past the right end after an even stage, the left after an odd one.
      const double gap = o.box.hi[0] - o.box.lo[0];
      o.box.lo[0] = s % 2 == 0 ? width : -gap;
      o.box.hi[0] = s % 2 == 0 ? width + gap : 0.0;
      o.box.lo[2] -= down + floor_height;  // down to the next stage's input
      o.box.hi[2] -= down;
      continue;
    }
    const double a = o.box.lo[0] - start[s], b = o.box.hi[0] - start[s];
    o.box.lo[0] = s % 2 == 0 ? a : width - b;
    o.box.hi[0] = s % 2 == 0 ? b : width - a;
    o.box.lo[2] -= down;
    o.box.hi[2] -= down;
  }
}

ObjectIndex Layout::add(ObjectKind kind, int r, int layer, int m, const Box& box) {
  const auto index = static_cast<ObjectIndex>(objects_.size());
  objects_.push_back({box, kind, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(layer),
                      static_cast<std::uint32_t>(m)});
  return index;
}

// Mirrors Pipeline.__init__ for replica r, including its floating-point
// arithmetic on the batch axis, so that boxes match the notebook bit for bit.
void Layout::build_replica(int r) {
  const Params& p = params_;
  const DrawnSizes drawn = drawn_sizes(p);  // the notebook's own sizes for its model
  const std::int64_t d_model = drawn.d_model, d_hidden = drawn.d_hidden;
  const std::int64_t per_stage = p.layers_per_stage();
  const int L = static_cast<int>(L_), mb = static_cast<int>(mb_);
  const double B = drawn.rows;  // the pipeline's B
  const double B_start = r * (B + static_cast<double>(p.dp_gpu_delta));
  const double B_end = B_start + B;
  const bool has_next = r < p.dp - 1;
  const double B_next_end = (r + 1) * (B + static_cast<double>(p.dp_gpu_delta)) + B;
  const double mb_size = B / mb;
  auto mb_start = [&](int m) { return B_start + m * mb_size; };
  // A tp all-reduce is a slab an eighth of a layer thick on the tensor it
  // sums: just past a layer's output face, just before a stage's input.
  const bool tensor_reduces = !tensor_reduce_.empty();
  const std::int64_t reduce_depth = std::max<std::int64_t>(1, d_hidden / 8);

  std::int64_t x = 0;  // layer_L_by_d_hidden_start
  for (int l = 0; l < L; ++l) {
    const std::int64_t zp = ((l + 1) % 2) - 1;  // z bottom of the previous residual
    const std::int64_t zr = (l % 2) - 1;        // z bottom of this layer's residual
    const int stage = static_cast<int>(l / per_stage);
    const std::int64_t x_end = x + d_hidden;

    if (l % per_stage == 0) {
      for (int m = 0; m < mb; ++m) {
        stage_input_[(r * stages_ + stage) * mb_ + m] =
            add(ObjectKind::StageInput, r, stage, m,
                make_box(x, x, mb_start(m), mb_start(m) + mb_size, zp * d_model, (zp + 1) * d_model));
        if (tensor_reduces) {
          tensor_reduce_in_[(r * stages_ + stage) * mb_ + m] =
              add(ObjectKind::TensorReduceIn, r, stage, m,
                  cuboid_box(x - reduce_depth, x, mb_start(m), mb_start(m) + mb_size, zp * d_model, (zp + 1) * d_model));
        }
      }
    }
    const std::size_t rl = r * L_ + l;
    if (has_next) {
      all_reduce1_[rl] = add(ObjectKind::AllReduce1, r, l, 0,
                             cuboid_box(x, x_end, B_end, B_next_end, zp * d_model, (zp + 1) * d_model));
      all_reduce2_[rl] = add(ObjectKind::AllReduce2, r, l, 0,
                             cuboid_box(x, x_end, B_end, B_next_end, zr * d_model, (zr + 1) * d_model));
    }
    weights1_[rl] = add(ObjectKind::Weight1, r, l, 0,
                        make_box(x, x_end, notebook_depth(B_end), notebook_depth(B_end), zp * d_model, (zp + 1) * d_model));
    weights2_[rl] = add(ObjectKind::Weight2, r, l, 0,
                        make_box(x, x_end, notebook_depth(B_end), notebook_depth(B_end), zr * d_model, (zr + 1) * d_model));
    for (int m = 0; m < mb; ++m) {
      const double y0 = mb_start(m), y1 = y0 + mb_size;
      const std::size_t i = rl * mb_ + m;
      hidden_[i] = add(ObjectKind::Hidden, r, l, m, make_box(x, x_end, y0, y1, 0, 0));
      residual_[i] = add(ObjectKind::Residual, r, l, m,
                         make_box(x + d_hidden, x + d_hidden, y0, y1, zr * d_model, (zr + 1) * d_model));
      flop1_[i] = add(ObjectKind::Flop1, r, l, m,
                      cuboid_box(x, x_end, y0, y1, zp * d_model, (zp + 1) * d_model));
      flop2_[i] = add(ObjectKind::Flop2, r, l, m,
                      cuboid_box(x, x_end, y0, y1, zr * d_model, (zr + 1) * d_model));
      if (tensor_reduces) {
        tensor_reduce_[i] = add(ObjectKind::TensorReduce, r, l, m,
                                cuboid_box(x_end, x_end + reduce_depth, y0, y1, zr * d_model, (zr + 1) * d_model));
      }
    }
    x += d_hidden;
    if ((l + 1) % per_stage == 0 && l != L - 1) {
      const std::int64_t next_x = x + p.pp_gpu_delta;
      for (int m = 0; m < mb; ++m) {
        const double y0 = mb_start(m);
        pipe_send_[(r * stages_ + stage) * mb_ + m] =
            add(ObjectKind::PipeSend, r, stage, m,
                cuboid_box(x, next_x, y0, y0 + mb_size, zr * d_model, (zr + 1) * d_model));
      }
      x = next_x;
    }
  }
}

std::vector<VisualState> Layout::initial_state() const {
  std::vector<VisualState> state(objects_.size(), VisualState::Hidden);
  for (std::size_t i = 0; i < objects_.size(); ++i) {
    const ObjectKind k = objects_[i].kind;
    if (k == ObjectKind::Weight1 || k == ObjectKind::Weight2) state[i] = VisualState::Blue;
  }
  return state;
}

Box Layout::bounds() const {
  Box b;
  b.lo.fill(std::numeric_limits<double>::infinity());
  b.hi.fill(-std::numeric_limits<double>::infinity());
  for (const auto& o : objects_) {
    for (int a = 0; a < 3; ++a) {
      b.lo[a] = std::min(b.lo[a], o.box.lo[a]);
      b.hi[a] = std::max(b.hi[a], o.box.hi[a]);
    }
  }
  return b;
}

std::string Layout::id(ObjectIndex i) const {
  if (layer_view_) return layer_view_->ids[i];
  const SceneObject& o = objects_[i];
  switch (o.kind) {
    case ObjectKind::Weight1: return fmt::format("W1/r{}/l{}", o.replica, o.layer);
    case ObjectKind::Weight2: return fmt::format("W2/r{}/l{}", o.replica, o.layer);
    case ObjectKind::Hidden: return fmt::format("h/r{}/l{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::Residual: return fmt::format("x/r{}/l{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::StageInput:
      return fmt::format("xin/r{}/s{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::Flop1: return fmt::format("F1/r{}/l{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::Flop2: return fmt::format("F2/r{}/l{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::PipeSend:
      return fmt::format("P2P/r{}/s{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::AllReduce1: return fmt::format("AR1/r{}/l{}", o.replica, o.layer);
    case ObjectKind::AllReduce2: return fmt::format("AR2/r{}/l{}", o.replica, o.layer);
    case ObjectKind::TensorReduce: return fmt::format("TP/r{}/l{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::TensorReduceIn: return fmt::format("TPin/r{}/s{}/m{}", o.replica, o.layer, o.microbatch);
    case ObjectKind::ContextRing:
    case ObjectKind::ExpertAllToAll: break;  // the layer view's, named there
  }
  return {};
}

std::string Layout::notebook_label(ObjectIndex i) const {
  if (layer_view_) {
    const LayerViewFace& f = layer_view_->faces[i];
    if (f.base.empty()) return "";
    return "$" + f.base + (f.sub.empty() ? "" : "_{" + f.sub + "}") + (f.sup.empty() ? "" : "^{" + f.sup + "}") + "$";
  }
  const SceneObject& o = objects_[i];
  switch (o.kind) {
    // The notebook's f-strings, kept as they are: "$W_1^{l}$" puts only the
    // first digit of a layer >= 10 in the superscript, and the dump records that.
    case ObjectKind::Weight1: return fmt::format("$W_1^{}$", o.layer);
    case ObjectKind::Weight2: return fmt::format("$W_2^{}$", o.layer);
    case ObjectKind::Hidden: return fmt::format("$h^{}$", o.layer);
    case ObjectKind::Residual: return fmt::format("$x^{}$", o.layer);
    case ObjectKind::StageInput:  // stage s starts at layer l = s * L/pp; its input is x^{l-1}
      return fmt::format("$x^{{{}}}$", static_cast<std::int64_t>(o.layer) * params_.layers_per_stage() - 1);
    default: return "";
  }
}

}  // namespace pipescope
