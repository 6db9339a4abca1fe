// Tensor parallelism, sequence parallelism, recomputation, ZeRO and the mesh
// of GPUs, against figures published or worked by hand (each test says which).

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "pipescope/analysis/schedule_stats.hpp"
#include "pipescope/model/cost_model.hpp"
#include "pipescope/model/mesh.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/simulate.hpp"
#include "support.hpp"

namespace {

using namespace pipescope;

// Korthikanti et al.'s 22B model (their Table 3): h 6144, a 64, 48 layers,
// s 2048, microbatch 4, tp 8, one stage, no embedding; the scores stored as
// their Table 2 counts them.
Params korthikanti_22b() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 6144;
  p.heads = 64;
  p.L = 48;
  p.seq_len = 2048;
  p.B = 4;
  p.dp = 1;
  p.pp = 1;
  p.microbatches = 1;
  p.tp = 8;
  p.vocab = 0;
  p.schedule = ScheduleKind::OneFOneB;
  p.attention = static_cast<std::int64_t>(Attention::Stored);
  return p;
}

// Table 2's rows, per layer, with s b h = 2048 x 4 x 6144 = 50,331,648 and
// 5as/(ht) = 5 x 64 x 2048 / (6144 x 8) = 40/3:
//   tp              sbh (10 + 24/8 + 40/3)  = 1,325,400,064
//   tp + sp         sbh (34/8 + 40/3)       =   884,998,144
//   tp + selective  sbh (10 + 24/8)         =   654,311,424
//   tp+sp+selective sbh 34/8                =   213,909,504
//   full            2 sbh                   =   100,663,296
TEST(Parallelism, ActivationsPerLayerAreKorthikantisTable2) {
  struct Row {
    int sp;
    Recompute recompute;
    double per_layer;
  };
  const Row rows[] = {{0, Recompute::None, 1'325'400'064.0},
                      {1, Recompute::None, 884'998'144.0},
                      {0, Recompute::Selective, 654'311'424.0},
                      {1, Recompute::Selective, 213'909'504.0},
                      {0, Recompute::Full, 100'663'296.0}};
  for (const Row& r : rows) {
    Params p = korthikanti_22b();
    p.sp = r.sp;
    p.recompute = static_cast<std::int64_t>(r.recompute);
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const ModelFigures m = model_figures(p);
    EXPECT_NEAR(m.stages[0].activation_bytes, 48 * r.per_layer, 1e-6 * r.per_layer)
        << "sp " << r.sp << " recompute " << static_cast<int>(r.recompute);
  }
  // Their Figure 1 and text: 59.25 GiB with tp alone, 9.5625 GiB with sp and selective.
  Params p = korthikanti_22b();
  EXPECT_NEAR(model_figures(p).stages[0].activation_bytes / 1073741824.0, 59.25, 1e-9);
  p.sp = 1;
  p.recompute = static_cast<std::int64_t>(Recompute::Selective);
  EXPECT_NEAR(model_figures(p).stages[0].activation_bytes / 1073741824.0, 9.5625, 1e-9);
}

// Full recomputation keeps each layer's input and rebuilds one layer at a
// time: the peak is 48 x 2 sbh stored plus one layer's whole activations (tp
// row: 1,325,400,064), 4,831,838,208 + 1,325,400,064 bytes on the one rank.
TEST(Parallelism, FullRecomputationPeaksAtTheInputsPlusOneRebuiltLayer) {
  Params p = korthikanti_22b();
  p.recompute = static_cast<std::int64_t>(Recompute::Full);
  const ScheduleStats st = schedule_stats(p, make_plan(p));
  EXPECT_NEAR(st.ranks[0].peak_activation_bytes, 48 * 100'663'296.0 + 1'325'400'064.0, 1.0);
}

// ZeRO's Figure 1 (Rajbhandari et al.): 7.5B parameters on 64 GPUs take
// 120 / 31.4 / 16.6 / 1.9 GB under no sharding, P_os, P_os+g and P_os+g+p;
// Megatron's distributed optimizer with fp32 gradients: 18 and 6 + 12/d bytes
// a parameter. Checked here per parameter of the rank, then scaled to 7.5B.
TEST(Parallelism, ModelStatesFollowZeroStagesAndMegatronsDistributedOptimizer) {
  Params p = pipescope::testing::small_transformer();
  p.dp = 64;
  p.B = 64 * 4 * 2;
  p.pp = 1;
  p.L = 4;
  const double published[] = {120, 31.4, 16.6, 1.9};
  for (int zero = 0; zero <= 3; ++zero) {
    p.zero = zero;
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const ModelStateBytes s = model_state_bytes(p, model_figures(p)).front();
    const double per_parameter = (s.weights + s.gradients + s.optimizer) / s.parameters;
    EXPECT_NEAR(per_parameter * 7.5, published[zero], 0.05) << "zero " << zero;
  }
  p.zero = 0;
  p.grad_bytes = 4;
  ModelStateBytes s = model_state_bytes(p, model_figures(p)).front();
  EXPECT_DOUBLE_EQ((s.weights + s.gradients + s.optimizer) / s.parameters, 18);
  p.zero = 1;
  s = model_state_bytes(p, model_figures(p)).front();
  EXPECT_DOUBLE_EQ((s.weights + s.gradients + s.optimizer) / s.parameters, 6 + 12.0 / 64);
}

// tp 4 cuts every pass's FLOPs and the weights four ways; each layer's
// forward then waits on two ring all-reduces of the activation, t h x 2 bytes
// = 2,097,152 over 4 GPUs of a node: 2 x 3/4 of it at 450 GB/s plus 6 steps
// of 5 us = 6,990.51 + 30,000 ns each.
TEST(Parallelism, TensorParallelCutsTheWorkAndAddsTwoAllReducesAPass) {
  Params one = pipescope::testing::small_transformer();
  Params four = one;
  four.tp = 4;
  ASSERT_TRUE(validate(four).empty()) << validate(four).front().message;
  const ModelFigures m1 = model_figures(one), m4 = model_figures(four);
  EXPECT_DOUBLE_EQ(m4.stages[0].f_flops, m1.stages[0].f_flops / 4);
  EXPECT_DOUBLE_EQ(m4.stages[0].w_flops, m1.stages[0].w_flops / 4);
  EXPECT_DOUBLE_EQ(m4.flops_per_replica, m1.flops_per_replica);
  EXPECT_DOUBLE_EQ(model_state_bytes(four, m4)[0].weights, model_state_bytes(one, m1)[0].weights / 4);
  const RealCostNanoseconds c1 = real_cost_nanoseconds(one), c4 = real_cost_nanoseconds(four);
  const double all_reduce = 1.5 * 2'097'152.0 / 450 + 6 * 5000;
  EXPECT_NEAR(c4.per_stage[0].tp_f, 2 * 2 * all_reduce, 1e-6);  // 2 layers a stage
  EXPECT_NEAR(c4.per_stage[0].f, c1.per_stage[0].f / 4 + 4 * all_reduce, 1e-3);
  EXPECT_EQ(c1.per_stage[0].tp_f, 0);
}

// Megatron's rank order: tp innermost, then dp, then pp. dp 2 x pp 4 x tp 8
// = 64 GPUs: a tp group is a node; a dp group spans two; pp neighbours are 16 apart.
TEST(Parallelism, TheMeshNumbersGpusAsMegatronDoes) {
  const Mesh mesh{2, 4, 8, 8};
  EXPECT_EQ(mesh.gpus(), 64);
  EXPECT_EQ(mesh.gpu({1, 2, 3}).global, 3 + 8 * (1 + 2 * 2));
  for (std::int64_t g = 0; g < 64; ++g) EXPECT_EQ(mesh.gpu(mesh.coord({g})).global, g);
  EXPECT_TRUE(mesh.inside_node(MeshDim::Tp));
  EXPECT_FALSE(mesh.inside_node(MeshDim::Dp));
  EXPECT_FALSE(mesh.inside_node(MeshDim::Pp));
  EXPECT_EQ(mesh.node_of({17}), 2);
  // Eight GPUs in all: every group is inside the node, whatever its stride.
  EXPECT_TRUE((Mesh{2, 4, 1, 8}).inside_node(MeshDim::Pp));
  EXPECT_EQ(mesh.text(), "dp 2 x pp 4 x tp 8 = 64 GPUs on 8 nodes of 8");
}

// A collective across nodes runs at one NIC per GPU of the group in a node:
// dp 16 of tp 1 puts 8 GPUs of the group in each node: 8 x 12.5 = 100 GB/s,
// below the node's 150. With tp 8 each node holds one: 12.5 GB/s.
TEST(Parallelism, ACollectiveAcrossNodesUsesTheNicsOfItsGpusInANode) {
  Params p = pipescope::testing::small_transformer();
  p.pp = 1;
  p.L = 2;
  p.dp = 16;
  p.B = 16 * 4 * 2;
  p.intra_node_gbps = 150;
  p.inter_node_gbps = 12.5;
  p.p2p_latency_us = 0;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const double bytes = model_figures(p).layer_gradient_bytes;
  EXPECT_NEAR(2 * real_cost_nanoseconds(p).exchange_flash, 2 * 15.0 / 16 * bytes / 100, 1e-6);
  p.tp = 8;
  const double bytes8 = model_figures(p).layer_gradient_bytes;
  EXPECT_NEAR(2 * real_cost_nanoseconds(p).exchange_flash, 2 * 15.0 / 16 * bytes8 / 12.5, 1e-6);
}

// With tp 1, zero 0, no recomputation and stored attention, a transformer's
// figures are the counts pipescope always used (cost_model.hpp's
// closed forms for f = 4h): random shapes, each checked against them.
TEST(Parallelism, WithNoneOfItTheFiguresAreTheClosedFormsAsBefore) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    Params p;
    p.model = CostModel::Transformer;
    p.attention = static_cast<std::int64_t>(Attention::Stored);
    p.heads = 1 << (rng() % 4);
    p.d_model = *p.heads * 64 * (1 + rng() % 4);
    p.seq_len = 128 * (1 + rng() % 8);
    p.pp = 1 + rng() % 3;
    p.L = p.pp * (1 + rng() % 3);
    p.dp = 1;
    p.microbatches = 1 + rng() % 4;
    p.B = p.microbatches * (1 + rng() % 3);
    p.vocab = 0;
    p.schedule = ScheduleKind::OneFOneB;
    ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
    const double h = static_cast<double>(p.d_model), s = static_cast<double>(p.seq_len);
    const double a = static_cast<double>(*p.heads), b = static_cast<double>(p.B / p.microbatches);
    const double t = b * s, layers = static_cast<double>(p.L / p.pp);
    const StageFigures st = model_figures(p).stages.front();
    EXPECT_NEAR(st.f_flops, layers * (24 * t * h * h + 4 * t * s * h), 1e-9 * st.f_flops);
    EXPECT_NEAR(st.i_flops, layers * (24 * t * h * h + 8 * t * s * h), 1e-9 * st.i_flops);
    EXPECT_NEAR(st.w_flops, layers * 24 * t * h * h, 1e-9 * st.w_flops);
    EXPECT_NEAR(st.parameters, layers * (12 * h * h + 13 * h), 1e-9 * st.parameters);
    EXPECT_NEAR(st.activation_bytes, layers * s * b * h * (34 + 5 * a * s / h), 1e-9 * st.activation_bytes);
    const ModelStateBytes ms = model_state_bytes(p, model_figures(p)).front();
    EXPECT_NEAR(ms.total(), 16 * layers * (12 * h * h + 13 * h), 1e-6 * ms.total());
  }
}

// Context parallelism cuts the sequence: cp 2 halves every GPU's FLOPs and
// activations but not its weights; the optimizer shards over dp x cp (Megatron
// reduces gradients over both). Each layer's forward passes its keys and
// values (t/cp x h x 2 bytes each, 2 x 512 x 1024 x 2 = 2,097,152 bytes) to the
// other GPU, hidden under the attention core when the link is fast.
TEST(Parallelism, ContextParallelCutsTheSequenceAndRingsKeysAndValues) {
  Params one = pipescope::testing::small_transformer();
  Params two = one;
  two.cp = 2;
  ASSERT_TRUE(validate(two).empty()) << validate(two).front().message;
  const ModelFigures m1 = model_figures(one), m2 = model_figures(two);
  EXPECT_DOUBLE_EQ(m2.stages[0].f_flops, m1.stages[0].f_flops / 2);
  EXPECT_DOUBLE_EQ(m2.stages[0].activation_bytes, m1.stages[0].activation_bytes / 2);
  EXPECT_DOUBLE_EQ(m2.flops_per_replica, m1.flops_per_replica);
  EXPECT_DOUBLE_EQ(m2.stages[0].cp_ring_bytes, 2'097'152.0);
  EXPECT_DOUBLE_EQ(model_state_bytes(two, m2)[0].weights, model_state_bytes(one, m1)[0].weights);
  two.zero = 1;
  one.zero = 1;
  EXPECT_DOUBLE_EQ(model_state_bytes(two, model_figures(two))[0].optimizer,
                   model_state_bytes(one, model_figures(one))[0].optimizer / 2);
  // Inside a node (450 GB/s) the ring hides under the attention; at 0.1 GB/s it does not:
  // 2,097,152 bytes / 0.1 = 20,971,520 ns + 5 us a step, less the core's time.
  EXPECT_EQ(real_cost_nanoseconds(two).per_stage[0].cp_f, 0);
  two.intra_node_gbps = 0.1;
  const double core = model_figures(two).stages[0].layer_core_flops / (100 * 0.5 * 1e3);
  EXPECT_NEAR(real_cost_nanoseconds(two).per_stage[0].cp_f, 2 * (20'971'520.0 + 5000 - core), 1.0);
  const Mesh mesh{2, 2, 4, 8, 2};
  for (std::int64_t g = 0; g < mesh.gpus(); ++g) EXPECT_EQ(mesh.gpu(mesh.coord({g})).global, g);
  EXPECT_EQ(mesh.gpu({1, 1, 0, 1}).global, 4 * (1 + 2 * (1 + 2 * 1)));
  Params labelled = pipescope::testing::small_transformer();
  labelled.tp = 4;
  labelled.cp = 2;
  EXPECT_EQ(rank_label(labelled, 1), "GPUs 8-15");
}

// DeepSeek-V3's shape (arXiv 2412.19437: h 7168, 61 layers of which 3 dense
// with FFN 18432, 256 routed experts of 2048 and 1 shared, top 8, vocab
// 129,280; its MLA attention counted here as multi-head): 671B parameters,
// 37B activated a token. Counted: 672.2B, and 37.75B from the model FLOPs
// less the attention core (6 FLOPs a parameter and token).
Params deepseek_v3_like() {
  Params p;
  p.model = CostModel::Transformer;
  p.d_model = 7168;
  p.heads = 128;
  p.L = 61;
  p.pp = 1;
  p.dp = 1;
  p.B = 1;
  p.microbatches = 1;
  p.seq_len = 4096;
  p.experts = 256;
  p.top_k = 8;
  p.expert_d_hidden = 2048;
  p.shared_experts = 1;
  p.dense_layers = 3;
  p.d_hidden = 18432;
  p.mlp = static_cast<std::int64_t>(Mlp::Swiglu);
  p.vocab = 129280;
  p.schedule = ScheduleKind::OneFOneB;
  return p;
}

TEST(Parallelism, AMixtureOfExpertsCountsAsDeepSeekV3Publishes) {
  const Params p = deepseek_v3_like();
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const ModelFigures m = model_figures(p);
  EXPECT_NEAR(m.stages[0].parameters / 1e9, 671, 0.01 * 671);
  const double tokens = 4096, core = 12 * tokens * 4096 * 7168 * 61.0;  // F 4tsh + I 8tsh a layer
  EXPECT_NEAR((m.flops_per_replica - core) / 6 / tokens / 1e9, 37, 0.05 * 37);
  // Three dense layers and 58 MoE ones: the experts are 58 x 256 x 3 x 7168 x 2048.
  EXPECT_DOUBLE_EQ(m.stages[0].expert_parameters, 58 * 256 * 3 * 7168.0 * 2048);
}

// Expert parallelism over 8 of 16 replicas: each GPU holds 32 of the 256
// experts, ZeRO-1 shards their optimizer over the 2 replicas that share them,
// and every MoE layer adds a dispatch and a combine each way: (ep - 1)/ep of
// a GPU's t x top_k x h x 2 bytes (4096 x 8 x 7168 x 2), plus 7 latencies.
TEST(Parallelism, ExpertParallelSplitsTheExpertsAndAddsAllToAlls) {
  Params p = deepseek_v3_like();
  p.L = 64;
  p.dense_layers = 0;
  p.pp = 16;
  p.dp = 16;
  p.B = 16;
  p.ep = 8;
  p.zero = 1;
  p.vocab = 0;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  const ModelFigures m = model_figures(p);
  const ModelStateBytes s = model_state_bytes(p, m)[0];
  const double experts = m.stages[0].expert_parameters, dense = m.stages[0].parameters - experts;
  EXPECT_DOUBLE_EQ(s.weights, 2 * (dense + experts / 8));
  EXPECT_DOUBLE_EQ(s.optimizer, 12 * (dense / 16 + experts / 8 / 2));
  const double bytes = 4096.0 * 8 * 7168 * 2;
  EXPECT_DOUBLE_EQ(m.stages[0].all_to_all_bytes, 4 * bytes);  // 4 MoE layers a stage
  // 16 x 16 = 256 GPUs: an ep group of 8 consecutive GPUs sits in a node (450 GB/s).
  const double one = 7.0 / 8 * bytes / 450 + 7 * 5000;
  EXPECT_NEAR(real_cost_nanoseconds(p).per_stage[0].ep_f, 4 * 2 * one, 4.0);
}

TEST(Parallelism, RulesAreRefusedNamingTheFlag) {
  struct Case {
    std::function<void(Params&)> edit;
    std::string field, says;
  };
  const std::vector<Case> cases = {
      {[](Params& p) { p.tp = 3; }, "tp", "must divide heads (16)"},
      {[](Params& p) { p.kv_heads = 3; }, "kv_heads", "heads (16) must be a multiple of it"},
      {[](Params& p) {
         p.kv_heads = 2;
         p.tp = 4;
       },
       "tp", "must divide kv_heads (2)"},
      {[](Params& p) { p.sp = 1; }, "sp", "give --tp 2 or more"},
      {[](Params& p) { p.cp = 3; }, "cp", "2 x cp (6) must divide seq_len (512)"},
      {[](Params& p) { p.ep = 2; }, "ep", "there are no experts"},
      {[](Params& p) {
         p.experts = 8;
         p.top_k = 9;
       },
       "top_k", "only 8 experts"},
      {[](Params& p) {
         p.experts = 6;
         p.ep = 4;
         p.dp = 4;
         p.B = 32;
       },
       "ep", "must divide experts (6)"},
      {[](Params& p) {
         p.experts = 8;
         p.ep = 4;
       },
       "ep", "must divide dp x cp (1 x 1)"},
      {[](Params& p) { p.grad_bytes = 3; }, "grad_bytes", "2 (bf16 gradients) or 4"},
      {[](Params& p) { p.zero = 4; }, "zero", "at most 3"},
      {[](Params& p) { p.recompute = 7; }, "recompute", "none, selective or full"},
      {[](Params& p) {
         p.model = CostModel::Notebook;
         p.tp = 2;
       },
       "tp", "applies to a transformer only"},
  };
  for (const Case& c : cases) {
    Params p = pipescope::testing::small_transformer();
    c.edit(p);
    const auto errors = validate(p);
    ASSERT_FALSE(errors.empty()) << c.field;
    EXPECT_EQ(errors.front().field, c.field) << errors.front().message;
    EXPECT_NE(errors.front().message.find(c.says), std::string::npos) << errors.front().message;
  }
}

}  // namespace
