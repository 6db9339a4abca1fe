#include "pipescope/model/layer_view.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pipescope/model/layout.hpp"

namespace pipescope {

namespace {

class Builder {
 public:
  Builder(const Params& p, std::vector<SceneObject>& objects) : p_(p), objects_(objects) {}

  ObjectIndex add(ObjectKind kind, const Box& box, std::string id, LayerViewFace face, Pieces pieces) {
    const auto i = static_cast<ObjectIndex>(objects_.size());
    objects_.push_back({box, kind, 0, 0, 0});
    view_.ids.push_back(std::move(id));
    view_.faces.push_back(std::move(face));
    view_.pieces.push_back(pieces);
    return i;
  }

  // Pieces of stage 0 of replica 0 (GPUs 0 on): x by tp, y by the tokens.
  Pieces cut(int along_x, bool tokens, bool sequence_parallel, bool owned, std::int64_t first_gpu = 0) const {
    Pieces pc;
    pc.along_x = along_x;
    pc.first_gpu = first_gpu;
    pc.owned = owned;
    const int tp = static_cast<int>(p_.tp), cp = static_cast<int>(p_.cp);
    if (tokens) {
      pc.along_y = sequence_parallel ? cp * tp : cp;
      pc.y_stride = sequence_parallel ? 1 : tp;
    }
    return pc;
  }
  // A residual-stream tensor (the layer's input, a row-parallel output):
  // replicated over tp unless sequence parallel.
  Pieces residual() const { return cut(1, true, p_.sp != 0, p_.sp != 0 || p_.tp == 1); }
  // A column-parallel output or a matmul: one piece a GPU.
  Pieces sharded(std::int64_t first_gpu = 0) const {
    return cut(static_cast<int>(p_.tp), true, false, true, first_gpu);
  }
  Pieces weight(std::int64_t first_gpu = 0, bool owned_alone = true) const {
    return cut(static_cast<int>(p_.tp), false, false, owned_alone, first_gpu);
  }
  Pieces group_collective() const { return cut(1, true, false, false); }

  LayerView take() { return std::move(view_); }
  LayerView& view() { return view_; }

 private:
  const Params& p_;
  std::vector<SceneObject>& objects_;
  LayerView view_;
};

Box box(double x0, double x1, double y0, double y1, double z0, double z1) {
  Box b;
  b.lo = {std::min(x0, x1), std::min(y0, y1), std::min(z0, z1)};
  b.hi = {std::max(x0, x1), std::max(y0, y1), std::max(z0, z1)};
  return b;
}

}  // namespace

LayerView build_layer_view(const Params& p, std::vector<SceneObject>& objects) {
  Builder b(p, objects);
  // True sizes: the microbatch's tokens and the layer's widths.
  const double sequences = static_cast<double>(p.B) / static_cast<double>(p.dp * p.microbatches);
  const double tokens = static_cast<double>(p.seq_len) * std::max(sequences, 1.0);
  const double d = static_cast<double>(p.d_model);
  const double head_dim = d / static_cast<double>(p.effective_heads());
  const double qkv = d + 2.0 * static_cast<double>(p.effective_kv_heads()) * head_dim;
  const bool swiglu = p.mlp_kind() == Mlp::Swiglu;
  const bool moe = p.experts > 0;
  const double ffn = static_cast<double>(moe ? p.effective_expert_d_hidden() : p.hidden());
  const double up = swiglu ? 2.0 * ffn : ffn;  // gate and up projections side by side
  const double routed = moe ? tokens * static_cast<double>(p.top_k) : tokens;
  // Scene units: the largest extent 24, the rest in proportion.
  const double scale = 24.0 / std::max({tokens, d, qkv, up, routed});
  const double T = tokens * scale, D = d * scale, gap = 2.0;
  const double slab = 0.6 * gap;

  LayerView& view = b.view();
  double x = 0.0;
  // The layer's input x: the residual stream, T x d.
  const ObjectIndex input = b.add(ObjectKind::Residual, box(0, 0, 0, T, 0, D), "A/in", {"x", "", ""}, b.residual());
  const bool tp = p.tp > 1;
  const LayerViewFace all_reduce{"all-reduce", "tp", ""};
  ObjectIndex tp_in = kNoObject;
  if (tp) {
    tp_in = b.add(ObjectKind::TensorReduce, box(-0.5 * gap - 0.5 * slab, -0.5 * gap + 0.5 * slab, 0, T, 0, D), "TP/in",
                  all_reduce, b.group_collective());
  }

  // One matmul of true width (x) and depth (z) on `rows` tokens from y0.
  struct Made {
    ObjectIndex matmul, weight, output;
  };
  auto matmul = [&](const std::string& key, const std::string& label, double width, double depth, bool column,
                    double y0, double rows, std::int64_t first_gpu, const LayerViewFace& out_face,
                    const std::string& expert = "") {
    const double w = width * scale, k = depth * scale;
    Made m;
    m.matmul = b.add(ObjectKind::Flop1, box(x, x + w, y0, y0 + rows, 0, k), "F/" + key, {}, b.sharded(first_gpu));
    m.weight = label.empty() ? kNoObject
                             : b.add(ObjectKind::Weight1, box(x, x + w, y0 + rows, y0 + rows, 0, k), "W/" + key,
                                     {"W", label, expert}, b.weight(first_gpu, p.cp == 1));
    // A column-parallel output (or attention's) lies under the cuboid, cut as
    // it is; a row-parallel one is the residual stream again, at its end.
    m.output = column ? b.add(ObjectKind::Hidden, box(x, x + w, y0, y0 + rows, 0, 0), "A/" + key, out_face,
                              b.sharded(first_gpu))
                      : b.add(ObjectKind::Residual, box(x + w, x + w, y0, y0 + rows, 0, k), "A/" + key, out_face,
                              b.residual());
    return m;
  };
  auto op = [&](const std::string& name, const Made& m, ObjectIndex in) {
    LayerViewOp o;
    o.name = name;
    o.matmul = m.matmul;
    o.weight = m.weight;
    o.input = in;
    o.output = m.output;
    return o;
  };

  // QKV projection: column-parallel over the heads.
  const Made qkv_m = matmul("qkv", "qkv", qkv, d, true, 0, T, 0, {"qkv", "", ""});
  LayerViewOp qkv_op = op("QKV projection", qkv_m, input);
  if (tp) qkv_op.after_backward.push_back(tp_in);
  view.steps.push_back({qkv_op});
  x += qkv * scale + gap;

  // Attention: heads (cut by tp) x queries (cut by cp) x keys.
  const Made attn_m = matmul("attention", "", d, tokens, true, 0, T, 0, {"o", "", ""});
  LayerViewOp attn_op = op("attention", attn_m, qkv_m.output);
  if (p.cp > 1) {
    // The ring passes each cp rank's keys and values on while attention runs.
    Pieces ring = b.cut(1, true, false, true);
    attn_op.during.push_back(
        b.add(ObjectKind::ContextRing, box(x, x + d * scale, 0, T, T + 0.4 * gap, T + 0.4 * gap + slab), "CP/ring",
              {"KV ring", "cp", ""}, ring));
  }
  view.steps.push_back({attn_op});
  x += d * scale + gap;

  // Output projection: row-parallel, its partial sums then all-reduced.
  const Made out_m = matmul("out", "o", d, d, false, 0, T, 0, {"x", "mid", ""});
  LayerViewOp out_op = op("output projection", out_m, attn_m.output);
  x += d * scale;
  ObjectIndex tp_mid = kNoObject;
  if (tp) {
    tp_mid = b.add(ObjectKind::TensorReduce, box(x + 0.5 * gap - 0.5 * slab, x + 0.5 * gap + 0.5 * slab, 0, T, 0, D),
                   "TP/mid", all_reduce, b.group_collective());
    out_op.after_forward.push_back(tp_mid);
  }
  view.steps.push_back({out_op});
  x += gap;

  if (!moe) {
    const Made up_m = matmul("up", "up", up, d, true, 0, T, 0, {"h", "", ""});
    LayerViewOp up_op = op("MLP up", up_m, out_m.output);
    if (tp) up_op.after_backward.push_back(tp_mid);
    view.steps.push_back({up_op});
    x += up * scale + gap;
    const Made down_m = matmul("down", "down", ffn, d, false, 0, T, 0, {"y", "", ""});
    LayerViewOp down_op = op("MLP down", down_m, up_m.output);
    x += ffn * scale;
    if (tp) {
      down_op.after_forward.push_back(b.add(ObjectKind::TensorReduce,
                                            box(x + 0.5 * gap - 0.5 * slab, x + 0.5 * gap + 0.5 * slab, 0, T, 0, D),
                                            "TP/out", all_reduce, b.group_collective()));
    }
    view.steps.push_back({down_op});
    return b.take();
  }

  // Experts: stacked along the tokens, each as tall as the tokens routed to
  // it (tokens x top_k / experts on average); ep cuts them into groups, one
  // group a GPU (carved from dp x cp, so ep ranks are tp x cp apart).
  const auto experts = static_cast<int>(p.experts);
  const double rows = routed * scale / experts;
  const std::int64_t per_rank = std::max<std::int64_t>(1, p.experts / p.ep);
  auto expert_gpu = [&](int e) { return (e / per_rank) * p.tp * p.cp; };
  // Under ep each expert is one ep rank's: coloured as its GPU even uncut.
  auto mark_expert = [&](const auto& made) {
    if (p.ep == 1) return;
    for (ObjectIndex i : {made.matmul, made.weight, made.output}) view.pieces[i].whole_gpu = view.pieces[i].owned;
  };
  const ObjectIndex dispatch =
      b.add(ObjectKind::ExpertAllToAll, box(x - 0.5 * gap - 0.5 * slab, x - 0.5 * gap + 0.5 * slab, 0, routed * scale, 0, D),
            "EP/dispatch", {"all-to-all", "ep", ""}, b.group_collective());
  std::vector<LayerViewOp> ups, downs;
  std::vector<Made> up_made;
  const double x_up = x;
  for (int e = 0; e < experts; ++e) {
    x = x_up;
    const Made m = matmul(fmt::format("up.e{}", e), "up", up, d, true, e * rows, rows,
                          expert_gpu(e), {"h", "", std::to_string(e)}, std::to_string(e));
    mark_expert(m);
    LayerViewOp o = op(fmt::format("expert {} up", e), m, out_m.output);
    o.before.push_back(dispatch);
    o.after_backward.push_back(dispatch);
    ups.push_back(o);
    up_made.push_back(m);
  }
  const double x_down = x_up + up * scale + gap;
  ObjectIndex combine = kNoObject;
  for (int e = 0; e < experts; ++e) {
    x = x_down;
    const Made m = matmul(fmt::format("down.e{}", e), "down", ffn, d, false, e * rows, rows,
                          expert_gpu(e), {"y", "", std::to_string(e)}, std::to_string(e));
    if (combine == kNoObject) {
      const double xe = x_down + ffn * scale;
      combine = b.add(ObjectKind::ExpertAllToAll,
                      box(xe + 0.5 * gap - 0.5 * slab, xe + 0.5 * gap + 0.5 * slab, 0, routed * scale, 0, D),
                      "EP/combine", {"all-to-all", "ep", ""}, b.group_collective());
    }
    mark_expert(m);
    LayerViewOp o = op(fmt::format("expert {} down", e), m, up_made[static_cast<std::size_t>(e)].output);
    o.after_forward.push_back(combine);
    o.before_backward.push_back(combine);
    downs.push_back(o);
  }
  view.steps.push_back(ups);
  view.steps.push_back(downs);
  return b.take();
}

}  // namespace pipescope
