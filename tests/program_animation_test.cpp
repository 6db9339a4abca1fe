// The step generators' contract for every schedule but the notebook's: each
// timed action animates its stage's matmuls with the notebook's helpers, so
// the faces show activation memory (green while stored, red once its gradient
// is computed, gone once its weight gradient is done) and a weight turns red
// when its gradient is complete.
#include <gtest/gtest.h>

#include <map>

#include "support.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace {

using namespace pipescope;
using VS = VisualState;

Params tiny(ScheduleKind kind) {
  Params p = pipescope::testing::zoo_params(kind, 1, 1);
  p.dp = 1;
  p.pp_comm_steps = 0;
  return p;
}

// A hand-made one-rank program pins the frames exactly: F (input, h, x),
// then B = I (x's gradient arrives, h, input) and W (W2 then W1).
TEST(ProgramAnimation, OneStageOneMicrobatchFrameByFrame) {
  const Params p = tiny(ScheduleKind::GPipe);
  Program prog;
  prog.per_rank = {{Action::single(Op::F, 0, 0), Action::single(Op::B, 0, 0)}};
  const auto schedule = make_program_schedule(prog);
  Scene scene(p, *schedule);
  const Layout& l = scene.layout();
  const ObjectIndex xin = l.stage_input(0, 0, 0), h = l.hidden(0, 0, 0), x = l.residual(0, 0, 0);
  const ObjectIndex f1 = l.flop1(0, 0, 0), f2 = l.flop2(0, 0, 0), w1 = l.weight1(0, 0), w2 = l.weight2(0, 0);
  struct Expect {
    std::uint32_t frame;
    std::vector<std::pair<ObjectIndex, VS>> states;
  };
  const std::vector<Expect> frames = {
      {0, {{xin, VS::Hidden}, {h, VS::Hidden}, {x, VS::Hidden}, {w1, VS::Blue}, {w2, VS::Blue}}},
      {1, {{xin, VS::Green}, {h, VS::Hidden}, {f1, VS::Hidden}}},
      {2, {{h, VS::Green}, {f1, VS::Lit}, {x, VS::Hidden}}},
      {3, {{f1, VS::Hidden}, {x, VS::Green}, {f2, VS::Lit}}},
      {4, {{f2, VS::Hidden}, {x, VS::Red}, {h, VS::Green}}},  // the loss gradient arrives
      {5, {{f2, VS::Lit}, {h, VS::Red}}},
      {6, {{f2, VS::Hidden}, {f1, VS::Lit}, {xin, VS::Red}}},
      {7, {{f1, VS::Hidden}, {f2, VS::Lit}, {w2, VS::Red}, {w1, VS::Blue}, {x, VS::Red}}},
      {8, {{f2, VS::Hidden}, {x, VS::Hidden}, {f1, VS::Lit}, {w1, VS::Red}, {h, VS::Red}}},
      {9, {{f1, VS::Hidden}, {h, VS::Hidden}, {xin, VS::Hidden}, {w1, VS::Red}, {w2, VS::Red}}},
  };
  ASSERT_EQ(scene.timeline().last_frame(), 9u);
  for (const auto& e : frames) {
    scene.playhead().seek(e.frame);
    for (const auto& [object, state] : e.states) {
      EXPECT_EQ(scene.playhead().state(object), state) << "frame " << e.frame << ", " << l.id(object);
    }
  }
}

TEST(ProgramAnimation, CostsHoldEachMatmulForThatManyFrames) {
  Params p = tiny(ScheduleKind::GPipe);
  p.cost_f = 3;
  p.cost_i = 2;
  p.cost_w = 4;
  const Scene scene(p);
  // F: 3 steps x 3, B: I 3 steps x 2 + W 2 steps x 4, then the final writes.
  EXPECT_EQ(scene.timeline().last_frame(), 9u + 6u + 8u + 1u);
  EXPECT_EQ(static_cast<double>(scene.timeline().last_frame()), frame_count(p));
}

class EverySchedule : public ::testing::TestWithParam<ScheduleKind> {};

Params four_ranks(ScheduleKind kind) { return pipescope::testing::zoo_params(kind, 4, 8, 8); }

TEST_P(EverySchedule, FacesFollowTheTimedActions) {
  const Params p = four_ranks(GetParam());
  ASSERT_TRUE(validate(p).empty()) << validate(p)[0].message;
  Scene scene(p);
  const SchedulePlan plan = make_plan(p);
  EXPECT_EQ(scene.timeline().last_frame(), plan.timing.makespan + 1);
  EXPECT_EQ(static_cast<double>(scene.timeline().last_frame()), frame_count(p));
  const Layout& l = scene.layout();
  const int layers = static_cast<int>(p.layers_per_stage());
  // Frames of a pass that ran over [start, end) in simulation time: start + 1 .. end.
  std::vector<std::int64_t> last_weight(static_cast<std::size_t>(p.stages()), 0);
  for (const auto& rank : plan.timing.per_rank) {
    for (const auto& a : rank) {
      auto check = [&](const Step& st, std::int64_t start, std::int64_t end) {
        const int s = st.stage, m = st.microbatch, l0 = s * layers;
        for (int r = 0; r < p.dp; ++r) {
          if (st.op == Op::F) {
            scene.playhead().seek(static_cast<std::uint32_t>(end));  // its last frame: all computed
            for (int layer = l0; layer < l0 + layers; ++layer) {
              EXPECT_EQ(scene.playhead().state(l.hidden(r, layer, m)), VS::Green) << to_string(a.action);
              EXPECT_EQ(scene.playhead().state(l.residual(r, layer, m)), VS::Green) << to_string(a.action);
            }
          }
          if (st.op == Op::I || st.op == Op::B) {
            const std::int64_t i_end = st.op == Op::B ? start + plan.costs.i : end;
            scene.playhead().seek(static_cast<std::uint32_t>(i_end));
            EXPECT_EQ(scene.playhead().state(l.stage_input(r, s, m)), VS::Red) << to_string(a.action);
            for (int layer = l0; layer < l0 + layers; ++layer) {
              EXPECT_EQ(scene.playhead().state(l.hidden(r, layer, m)), VS::Red) << to_string(a.action);
            }
          }
          if (st.op == Op::W || st.op == Op::B) {
            scene.playhead().seek(static_cast<std::uint32_t>(end + 1));  // after its final writes
            EXPECT_EQ(scene.playhead().state(l.stage_input(r, s, m)), VS::Hidden) << to_string(a.action);
            for (int layer = l0; layer < l0 + layers; ++layer) {
              EXPECT_EQ(scene.playhead().state(l.hidden(r, layer, m)), VS::Hidden) << to_string(a.action);
              EXPECT_EQ(scene.playhead().state(l.residual(r, layer, m)), VS::Hidden) << to_string(a.action);
            }
            auto& last = last_weight[static_cast<std::size_t>(s)];
            last = std::max(last, end);
          }
        }
      };
      if (a.action.op == Op::Overlap) {
        check(a.action.first, a.start, a.start + plan.costs.f);
        check(a.action.second, a.start + plan.costs.f, a.end());
      } else {
        check(a.action.first, a.start, a.end());
      }
    }
  }
  // A weight stays blue until its stage's last weight gradient, red after.
  for (std::int64_t s = 0; s < p.stages(); ++s) {
    const auto last = last_weight[static_cast<std::size_t>(s)];
    const int layer = static_cast<int>(s) * layers;
    scene.playhead().seek(static_cast<std::uint32_t>(last - plan.costs.w));
    EXPECT_EQ(scene.playhead().state(l.weight1(0, layer)), VS::Blue) << "stage " << s;
    scene.playhead().seek(static_cast<std::uint32_t>(last));
    EXPECT_EQ(scene.playhead().state(l.weight1(0, layer)), VS::Red) << "stage " << s;
  }
  // At the end: every activation and cuboid gone, every weight red.
  scene.playhead().seek(scene.timeline().last_frame());
  for (ObjectIndex i = 0; i < l.size(); ++i) {
    const ObjectKind k = l[i].kind;
    const VS want = (k == ObjectKind::Weight1 || k == ObjectKind::Weight2) ? VS::Red : VS::Hidden;
    EXPECT_EQ(scene.playhead().state(i), want) << l.id(i);
  }
}

TEST_P(EverySchedule, PlaysBackwardToTheStart) {
  Scene scene(four_ranks(GetParam()));
  auto& ph = scene.playhead();
  ph.seek(scene.timeline().last_frame());
  while (ph.step_back()) {
  }
  EXPECT_EQ(ph.state(), scene.layout().initial_state());
}

INSTANTIATE_TEST_SUITE_P(Zoo, EverySchedule,
                         ::testing::Values(ScheduleKind::GPipe, ScheduleKind::OneFOneB,
                                           ScheduleKind::Interleaved1F1B, ScheduleKind::LoopedBFS,
                                           ScheduleKind::ZBH1, ScheduleKind::ZBH2, ScheduleKind::InterleavedZB,
                                           ScheduleKind::ZBV, ScheduleKind::DualPipeV),
                         [](const ::testing::TestParamInfo<ScheduleKind>& info) {
                           std::string name(schedule_info(info.param).name);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ProgramLayout, MoreStagesThanRanksKeepModelOrderWithGaps) {
  Params p = four_ranks(ScheduleKind::Interleaved1F1B);  // 8 stages of one layer
  const Layout layout(p);
  EXPECT_EQ(p.stages(), 8);
  // Stage inputs for every stage, sends between every pair of stages.
  for (int s = 0; s < 8; ++s) {
    const Box in = layout[layout.stage_input(0, s, 0)].box;
    EXPECT_EQ(in.lo[0], s * (p.hidden() + p.pp_gpu_delta)) << "stage " << s;
    if (s < 7) {
      const Box send = layout[layout.pipe_send(0, s, 0)].box;
      EXPECT_EQ(send.hi[0] - send.lo[0], p.pp_gpu_delta) << "stage " << s;
    }
  }
  EXPECT_EQ(static_cast<double>(layout.size()), estimated_object_count(p));
  // V placement: stages r and 2p-1-r on rank r.
  p.schedule = ScheduleKind::ZBV;
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(p.rank_of_stage(r), r);
    EXPECT_EQ(p.rank_of_stage(7 - r), r);
  }
}

}  // namespace

namespace {

// The notebook's plan is its animation's timing: each forward's first frame
// turns its stage input green, each backward's last frame turns it red, and
// the step ends where the animation's twenty still frames begin.
TEST(NotebookPlan, MatchesTheNotebooksAnimation) {
  for (const auto& p : {Params{}, [] {
                          Params q;
                          q.dp = 3;
                          q.pp = 2;
                          q.L = 4;
                          q.microbatches = 5;
                          q.pp_comm_steps = 0;
                          return q;
                        }()}) {
    Scene scene(p);
    const SchedulePlan plan = make_plan(p);
    // Frame makespan + 1 holds the last writes, the first of its idle(20).
    EXPECT_EQ(plan.timing.makespan + 20, scene.timeline().last_frame());
    const Layout& l = scene.layout();
    for (const auto& rank : plan.timing.per_rank) {
      for (const auto& a : rank) {
        const Step& st = a.action.first;
        for (int r = 0; r < p.dp; ++r) {
          const ObjectIndex in = l.stage_input(r, st.stage, st.microbatch);
          if (st.op == Op::F) {
            scene.playhead().seek(static_cast<std::uint32_t>(a.start));
            EXPECT_EQ(scene.playhead().state(in), VisualState::Hidden) << to_string(a.action);
            scene.playhead().seek(static_cast<std::uint32_t>(a.start + 1));
            EXPECT_EQ(scene.playhead().state(in), VisualState::Green) << to_string(a.action);
          }
          if (st.op == Op::I) {
            scene.playhead().seek(static_cast<std::uint32_t>(a.end() - 1));
            EXPECT_EQ(scene.playhead().state(in), VisualState::Green) << to_string(a.action);
            scene.playhead().seek(static_cast<std::uint32_t>(a.end()));
            EXPECT_EQ(scene.playhead().state(in), VisualState::Red) << to_string(a.action);
          }
        }
      }
    }
  }
}

TEST(ProgramAnimation, ATensorParallelAllReduceLightsOnlyWhileItsPassRuns) {
  // tp 2: each layer's output is summed over the tp group after its
  // row-parallel matmul (forward), and its gradient after the next layer's
  // column-parallel one (backward); a stage's input gradient at the end of
  // its backward. Each all-reduce object is lit only in frames its replica
  // runs that stage's F or backward of that microbatch, and in at least one.
  Params p = pipescope::testing::small_transformer_on_mesh(4);
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  Scene scene(p);
  const SchedulePlan plan = make_plan(p);
  const Layout& layout = scene.layout();
  ASSERT_TRUE(layout.has_tensor_reduces());
  // Frames of each (stage, microbatch)'s forward and backward passes.
  struct Span {
    std::int64_t first, last;
    bool forward;
  };
  std::map<std::pair<int, int>, std::vector<Span>> spans;
  for (const auto& rank : plan.timing.per_rank) {
    for (const auto& a : rank) {
      for_each_pass(a, plan.costs, [&](const Step& st, std::int64_t start, std::int64_t end) {
        if (st.op == Op::W) return;
        spans[{st.stage, st.microbatch}].push_back({plan.frame_of(start), plan.frame_of(end), st.op == Op::F});
      });
    }
  }
  std::map<ObjectIndex, int> lit_forward, lit_backward;
  Playhead& ph = scene.playhead();
  for (std::uint32_t f = 0; f <= scene.timeline().last_frame(); ++f) {
    ph.seek(f);
    for (ObjectIndex i = 0; i < layout.size(); ++i) {
      const SceneObject& o = layout[i];
      if (o.kind != ObjectKind::TensorReduce && o.kind != ObjectKind::TensorReduceIn) continue;
      if (ph.state(i) != VisualState::Lit) continue;
      const int stage = o.kind == ObjectKind::TensorReduceIn ? static_cast<int>(o.layer)
                                                             : static_cast<int>(o.layer / p.layers_per_stage());
      bool inside = false;
      for (const Span& s : spans[{stage, static_cast<int>(o.microbatch)}]) {
        if (f >= s.first && f <= s.last) {
          inside = true;
          ++(s.forward ? lit_forward : lit_backward)[i];
        }
      }
      EXPECT_TRUE(inside) << layout.id(i) << " lit at frame " << f << " outside its passes";
    }
  }
  for (ObjectIndex i = 0; i < layout.size(); ++i) {
    const SceneObject& o = layout[i];
    if (o.kind == ObjectKind::TensorReduceIn) {
      EXPECT_GT(lit_backward[i], 0) << layout.id(i) << ": the stage input's gradient is summed in the backward";
      EXPECT_EQ(lit_forward[i], 0) << layout.id(i);
    }
    if (o.kind == ObjectKind::TensorReduce) {
      EXPECT_GT(lit_forward[i], 0) << layout.id(i) << ": every layer's output is summed in the forward";
      // Its gradient is summed by the next layer's backward, on this stage only.
      const bool last_of_stage = (o.layer + 1) % p.layers_per_stage() == 0;
      if (!last_of_stage) {
        EXPECT_GT(lit_backward[i], 0) << layout.id(i);
      }
    }
  }
}

TEST(ProgramAnimation, FsdpLightsAWeightOnlyWhileAMatmulUsesIt) {
  // ZeRO 3 gathers each weight whole before a forward or input-gradient
  // matmul uses it: the weight face is lit exactly in frames where its own
  // matmul is lit for some microbatch, and only then.
  Params p = pipescope::testing::small_transformer_on_mesh(4);
  p.zero = 3;
  ASSERT_TRUE(validate(p).empty()) << validate(p).front().message;
  Scene scene(p);
  const Layout& layout = scene.layout();
  Playhead& ph = scene.playhead();
  int lit_weights = 0;
  for (std::uint32_t f = 0; f <= scene.timeline().last_frame(); ++f) {
    ph.seek(f);
    for (int r = 0; r < p.dp; ++r) {
      for (int l = 0; l < p.L; ++l) {
        for (const bool first : {true, false}) {
          const ObjectIndex weight = first ? layout.weight1(r, l) : layout.weight2(r, l);
          if (ph.state(weight) != VisualState::Lit) continue;
          ++lit_weights;
          bool used = false;
          for (int m = 0; m < p.microbatches; ++m) {
            used |= ph.state(first ? layout.flop1(r, l, m) : layout.flop2(r, l, m)) == VisualState::Lit;
          }
          EXPECT_TRUE(used) << layout.id(weight) << " lit at frame " << f << " with none of its matmuls running";
        }
      }
    }
  }
  EXPECT_GT(lit_weights, 0);
  // Without ZeRO 3 the weights stay whole on every GPU: never lit.
  p.zero = 1;
  Scene plain(p);
  for (std::uint32_t f = 0; f <= plain.timeline().last_frame(); f += 3) {
    plain.playhead().seek(f);
    EXPECT_NE(plain.playhead().state(plain.layout().weight1(0, 0)), VisualState::Lit);
  }
}

}  // namespace
