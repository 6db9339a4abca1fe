#include "pipescope/schedule/semantics.hpp"

namespace pipescope {

std::optional<Step> input_of(const Step& st, int stages) {
  const int s = st.stage, m = st.microbatch;
  switch (st.op) {
    case Op::F:
      if (s == 0) return std::nullopt;
      return Step{Op::F, s - 1, m};
    case Op::I:
    case Op::B:
      if (s == stages - 1) return Step{Op::F, s, m};
      return Step{Op::I, s + 1, m};
    case Op::W: return Step{Op::I, s, m};
    case Op::Overlap: break;
  }
  return std::nullopt;
}

MemoryDelta memory_delta(Op op, double activation, double kept_for_w) {
  switch (op) {
    case Op::F: return {activation, MemoryAt::Start};
    case Op::I: return {-(activation - kept_for_w), MemoryAt::End};
    case Op::W: return {-kept_for_w, MemoryAt::End};
    case Op::B: return {-activation, MemoryAt::End};
    case Op::Overlap: break;
  }
  return {0, MemoryAt::End};
}

}  // namespace pipescope
