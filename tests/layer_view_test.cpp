// The layer view (layer_view.hpp): one transformer layer of one microbatch
// at its true shapes, cut by the layout, animated with its collectives.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <algorithm>

#include "pipescope/animate/layer_view_frame.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/model/layer_view.hpp"
#include "bench/bench_models.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

// Llama 3 70B's layer (h 8192, 64 heads, 8 KV heads, SwiGLU FFN 28672), one
// 8,192-token sequence a microbatch.
Params llama_layer(std::int64_t tp, std::int64_t cp = 1) {
  Params p = bench::llama3_70b_on_64();
  p.schedule = ScheduleKind::OneFOneB;
  p.L = 8;
  p.pp = 2;
  p.dp = 1;
  p.B = 4;
  p.microbatches = 4;
  p.tp = tp;
  p.cp = cp;
  return p;
}

ObjectIndex find(const Layout& layout, const std::string& id) {
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    if (layout.id(i) == id) return i;
  }
  ADD_FAILURE() << "no object " << id;
  return 0;
}

// The runs of consecutive frames in which `object` is lit: [first, last].
std::vector<std::pair<std::uint32_t, std::uint32_t>> lit_runs(Scene& scene, ObjectIndex object) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> runs;
  Playhead& ph = scene.playhead();
  bool in = false;
  for (std::uint32_t f = 0; f <= scene.timeline().last_frame(); ++f) {
    ph.seek(f);
    const bool lit = ph.state(object) == VisualState::Lit;
    if (lit && !in) runs.push_back({f, f});
    if (lit) runs.back().second = f;
    in = lit;
  }
  return runs;
}

TEST(LayerView, MatmulsHaveTheirTrueShapes) {
  const Layout layout(llama_layer(1), kLayerView);
  auto extent = [&](const std::string& id, int axis) {
    const Box& b = layout[find(layout, id)].box;
    return b.hi[axis] - b.lo[axis];
  };
  // QKV: (8192 + 2 x 8 KV heads x 128) wide on a contraction of 8192.
  EXPECT_NEAR(extent("F/qkv", 0) / extent("F/qkv", 2), 10240.0 / 8192.0, 1e-9);
  // SwiGLU's up projection (gate and up) is 2 x 28672 wide; down contracts 28672.
  EXPECT_NEAR(extent("F/up", 0) / extent("F/down", 0), 2.0, 1e-9);
  EXPECT_NEAR(extent("F/down", 0) / extent("F/down", 2), 28672.0 / 8192.0, 1e-9);
  // Attention: 8,192 queries by 8,192 keys over all heads (h 8192).
  EXPECT_NEAR(extent("F/attention", 1), extent("F/attention", 2), 1e-9);
  EXPECT_NEAR(extent("F/attention", 0), extent("F/qkv", 2), 1e-9);
}

TEST(LayerView, EveryPieceOfItsMatmulsBelongsToItsGpu) {
  // tp 4: each matmul, weight and column-parallel output in 4 pieces, GPUs
  // 0-3 along x; the residual stream and the all-reduces the group's together.
  const Layout layout(llama_layer(4), kLayerView);
  for (const char* id : {"F/qkv", "F/attention", "F/out", "F/up", "F/down", "W/qkv", "W/up", "A/qkv", "A/up"}) {
    const Pieces pc = object_pieces(layout, find(layout, id));
    EXPECT_EQ(pc.along_x, 4) << id;
    EXPECT_EQ(pc.gpus(), (std::vector<std::int64_t>{0, 1, 2, 3})) << id;
    EXPECT_TRUE(pc.tinted()) << id;
  }
  for (const char* id : {"A/in", "A/out", "A/down", "TP/in", "TP/mid", "TP/out"}) {
    EXPECT_FALSE(object_pieces(layout, find(layout, id)).tinted()) << id << " is replicated over the tp group";
  }
  // cp 2 beside tp 2: attention's queries cut in two, the second cp rank 2 GPUs on.
  const Layout cp(llama_layer(2, 2), kLayerView);
  const Pieces attention = object_pieces(cp, find(cp, "F/attention"));
  EXPECT_EQ(attention.along_y, 2);
  EXPECT_EQ(attention.gpus(), (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(object_pieces(cp, find(cp, "W/qkv")).along_y, 1) << "weights are the same on every cp rank";
}

TEST(LayerView, TheTensorParallelAllReduceLightsRightAfterTheMatmulThatNeedsIt) {
  Scene scene(llama_layer(4), kLayerView);
  const Layout& layout = scene.layout();
  const auto out = lit_runs(scene, find(layout, "F/out"));
  const auto up = lit_runs(scene, find(layout, "F/up"));
  const auto mid = lit_runs(scene, find(layout, "TP/mid"));
  const auto in = lit_runs(scene, find(layout, "TP/in"));
  const auto qkv = lit_runs(scene, find(layout, "F/qkv"));
  // Forward: the output projection's partial sums, summed before the MLP.
  // Backward: the MLP up's input gradient, summed before the output projection's.
  ASSERT_EQ(mid.size(), 2u);
  ASSERT_GE(out.size(), 2u);
  ASSERT_GE(up.size(), 2u);
  EXPECT_EQ(mid[0].first, out[0].second + 1);
  EXPECT_EQ(up[0].first, mid[0].second + 1);
  EXPECT_EQ(mid[1].first, up[1].second + 1);
  EXPECT_EQ(out[1].first, mid[1].second + 1);
  // The layer input's gradient, summed after QKV's backward only.
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].first, qkv[1].second + 1);
}

TEST(LayerView, TheContextParallelRingRunsWithAttention) {
  Scene scene(llama_layer(1, 2), kLayerView);
  const auto ring = lit_runs(scene, find(scene.layout(), "CP/ring"));
  const auto attention = lit_runs(scene, find(scene.layout(), "F/attention"));
  ASSERT_EQ(ring.size(), 2u) << "forward and backward";
  EXPECT_EQ(ring[0], attention[0]);
  EXPECT_EQ(ring[1], attention[1]);
}

TEST(LayerView, ExpertsSitOnTheirExpertParallelGpus) {
  // 8 experts over ep 4: two a GPU; ep ranks are tp x cp = 2 GPUs apart.
  Params p = llama_layer(2);
  p.experts = 8;
  p.top_k = 2;
  p.expert_d_hidden = 4096;
  p.ep = 4;
  p.dp = 4;
  p.B = 16;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  Scene scene(p, kLayerView);
  const Layout& layout = scene.layout();
  for (int e = 0; e < 8; ++e) {
    const Pieces up = object_pieces(layout, find(layout, "F/up.e" + std::to_string(e)));
    EXPECT_EQ(up.first_gpu, (e / 2) * 2) << "expert " << e;
    EXPECT_EQ(up.along_x, 2) << "expert " << e << " cut by tp too";
    EXPECT_TRUE(up.tinted());
  }
  // All experts run together, between the dispatch and the combine.
  const auto dispatch = lit_runs(scene, find(layout, "EP/dispatch"));
  const auto combine = lit_runs(scene, find(layout, "EP/combine"));
  const auto first = lit_runs(scene, find(layout, "F/up.e0")), last = lit_runs(scene, find(layout, "F/up.e7"));
  ASSERT_FALSE(dispatch.empty());
  ASSERT_FALSE(combine.empty());
  EXPECT_EQ(first[0], last[0]);
  EXPECT_EQ(first[0].first, dispatch[0].second + 1);
  EXPECT_LT(first[0].second, combine[0].first);
}

TEST(LayerView, ItPlaysThePassARankRunsAtATime) {
  // 1F1B: rank 0 runs F0 first, later a B, and idles in between: the layer
  // shows the forward's, the backward's (then the weights') and no frames.
  const Params p = llama_layer(2);
  const Scene layer(p, kLayerView);
  const SchedulePlan plan = make_plan(p);
  const auto spans = phase_spans(layer.timeline());
  auto span_of = [&](Phase ph) {
    for (const PhaseSpan& s : spans) {
      if (s.phase == ph) return s;
    }
    return PhaseSpan{ph, 0, 0};
  };
  const PhaseSpan forward = span_of(Phase::Forward), backward = span_of(Phase::BackwardActivation),
                  weight = span_of(Phase::BackwardWeight);
  const auto& rank0 = plan.timing.per_rank[0];
  const TimedAction& f0 = rank0.front();
  ASSERT_EQ(f0.action.first.op, Op::F);
  // Its start, middle and last instant: the forward's first, middle and last frames.
  EXPECT_EQ(layer_view_frame(layer.timeline(), plan, 0, f0.start), forward.first);
  const std::uint32_t middle = layer_view_frame(layer.timeline(), plan, 0, f0.start + f0.length / 2);
  EXPECT_NEAR(middle, (forward.first + forward.last) / 2.0, 1.0);
  EXPECT_EQ(layer_view_frame(layer.timeline(), plan, 0, f0.end() - 1), forward.last);
  // A full backward: its input gradients first, then its weights'.
  const auto b = std::find_if(rank0.begin(), rank0.end(), [](const TimedAction& a) { return a.action.first.op == Op::B; });
  ASSERT_NE(b, rank0.end());
  const std::uint32_t early = layer_view_frame(layer.timeline(), plan, 0, b->start + 1);
  const std::uint32_t late = layer_view_frame(layer.timeline(), plan, 0, b->end() - 1);
  EXPECT_GE(early, backward.first);
  EXPECT_LE(early, backward.last);
  EXPECT_GE(late, weight.first);
  EXPECT_LE(late, weight.last);
  // Before the step and past its end: the layer at rest.
  EXPECT_EQ(layer_view_frame(layer.timeline(), plan, 0, -1), 0u);
  EXPECT_EQ(layer_view_frame(layer.timeline(), plan, 0, plan.timing.makespan + 1), 0u);
}

TEST(LayerView, TheNotebooksModelHasNoLayerToShow) {
  EXPECT_THROW(Layout(Params{}, kLayerView), InvalidParams);
}

}  // namespace
}  // namespace pipescope
