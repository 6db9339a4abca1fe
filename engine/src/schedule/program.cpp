#include "pipescope/schedule/program.hpp"

#include <fmt/format.h>

namespace pipescope {

char op_letter(Op op) {
  switch (op) {
    case Op::F: return 'F';
    case Op::I: return 'I';
    case Op::W: return 'W';
    case Op::B: return 'B';
    case Op::Overlap: break;
  }
  return '?';
}

namespace {

std::string step_string(const Step& s) { return fmt::format("{}{}{}", s.stage, op_letter(s.op), s.microbatch); }

}  // namespace

std::string to_string(const Action& a) {
  if (a.op == Op::Overlap) return fmt::format("({};{})OVERLAP_F_B", step_string(a.first), step_string(a.second));
  return step_string(a.first);
}

std::string to_csv(const Program& program) {
  std::string out;
  for (const auto& row : program.per_rank) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      out += to_string(row[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace pipescope
