// The schedule's semantics (schedule/semantics.hpp), checked against the
// rules as the Zero Bubble paper and PyTorch's schedules state them, worked
// by hand for a pipeline of 4 stages.

#include <gtest/gtest.h>

#include "pipescope/schedule/semantics.hpp"

namespace pipescope {
namespace {

TEST(Semantics, EachPassWaitsForItsOneInput) {
  constexpr int S = 4;
  // Forwards: from the previous stage; stage 0 from the data.
  EXPECT_FALSE(input_of({Op::F, 0, 3}, S));
  EXPECT_EQ(input_of({Op::F, 2, 3}, S), (Step{Op::F, 1, 3}));
  // Backwards (I, or a fused B): the gradient from the next stage; the last stage from its own loss.
  EXPECT_EQ(input_of({Op::I, 1, 5}, S), (Step{Op::I, 2, 5}));
  EXPECT_EQ(input_of({Op::B, 1, 5}, S), (Step{Op::I, 2, 5}));
  EXPECT_EQ(input_of({Op::I, 3, 5}, S), (Step{Op::F, 3, 5}));
  EXPECT_EQ(input_of({Op::B, 3, 5}, S), (Step{Op::F, 3, 5}));
  // The weight gradient: after its own stage's input gradient.
  EXPECT_EQ(input_of({Op::W, 0, 1}, S), (Step{Op::I, 0, 1}));
  // Only the inputs from another stage are sends.
  EXPECT_TRUE(input_from_another_stage({Op::F, 2, 3}, *input_of({Op::F, 2, 3}, S)));
  EXPECT_TRUE(input_from_another_stage({Op::I, 1, 5}, *input_of({Op::I, 1, 5}, S)));
  EXPECT_FALSE(input_from_another_stage({Op::I, 3, 5}, *input_of({Op::I, 3, 5}, S)));
  EXPECT_FALSE(input_from_another_stage({Op::W, 0, 1}, *input_of({Op::W, 0, 1}, S)));
  EXPECT_TRUE(carries_gradient(Op::I) && carries_gradient(Op::B));
  EXPECT_FALSE(carries_gradient(Op::F) || carries_gradient(Op::W));
}

TEST(Semantics, AForwardsActivationsAreFreedInFullByIAndWOrByB) {
  // 100 bytes stored, 30 of them kept after I for W (Korthikanti's split, in small numbers).
  const MemoryDelta f = memory_delta(Op::F, 100, 30), i = memory_delta(Op::I, 100, 30),
                    w = memory_delta(Op::W, 100, 30), b = memory_delta(Op::B, 100, 30);
  EXPECT_EQ(f.bytes, 100);
  EXPECT_EQ(f.at, MemoryAt::Start);  // stored as the forward begins
  EXPECT_EQ(i.bytes, -70);
  EXPECT_EQ(w.bytes, -30);
  EXPECT_EQ(b.bytes, -100);
  for (const MemoryDelta& d : {i, w, b}) EXPECT_EQ(d.at, MemoryAt::End);  // freed when the pass is done
  EXPECT_EQ(f.bytes + i.bytes + w.bytes, 0);
  EXPECT_EQ(f.bytes + b.bytes, 0);
}

}  // namespace
}  // namespace pipescope
