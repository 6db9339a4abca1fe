#include "pipescope/schedule/auto_milp.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "pipescope/schedule/semantics.hpp"

namespace pipescope {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

// The passes, indexed: pass = (stage * M + microbatch) * 3 + kind (0 F, 1 I, 2 W).
struct Passes {
  int S, M, P;
  Program shape;
  int count() const { return S * M * 3; }
  int index(int s, int m, int k) const { return (s * M + m) * 3 + k; }
  int stage(int a) const { return a / 3 / M; }
  int microbatch(int a) const { return a / 3 % M; }
  int kind(int a) const { return a % 3; }
  static Op op_of_kind(int k) { return k == 0 ? Op::F : k == 1 ? Op::I : Op::W; }
  static int kind_of(Op op) { return op == Op::F ? 0 : op == Op::W ? 2 : 1; }
  Op op(int a) const { return op_of_kind(kind(a)); }
  int rank(int a) const { return shape.rank_of(stage(a)); }
};

Passes passes_of(const AutoProblem& pb) {
  Passes ps{pb.ranks * pb.chunks, pb.microbatches, pb.ranks, {}};
  ps.shape.ranks = pb.ranks;
  ps.shape.stages = ps.S;
  ps.shape.microbatches = pb.microbatches;
  ps.shape.placement = pb.chunks == 2 ? Placement::V : Placement::Loop;
  return ps;
}

double length_us(const AutoProblem& pb, const Passes& ps, int a) {
  const int s = ps.stage(a);
  const std::int64_t ns = ps.kind(a) == 0 ? pb.costs.f_of(s) : ps.kind(a) == 1 ? pb.costs.i_of(s) : pb.costs.w_of(s);
  return static_cast<double>(ns) / 1000;
}

}  // namespace

std::string auto_milp_lp(const AutoProblem& pb, std::int64_t upper_bound_ns) {
  const Passes ps = passes_of(pb);
  const int N = ps.count();
  if (N > kMaxExactPasses) throw MilpError(fmt::format("{} passes: the exact tier takes at most {}", N, kMaxExactPasses));
  double big = 0;
  for (int a = 0; a < N; ++a) big += length_us(pb, ps, a);
  big += static_cast<double>(pb.costs.send) / 1000 * N + 1;
  const double send = static_cast<double>(pb.costs.send) / 1000;
  std::ostringstream lp;
  lp.precision(12);
  lp << "\\ pipescope auto-schedule: " << pb.ranks << " ranks, " << pb.microbatches << " microbatches, " << pb.chunks
     << " stages a rank; times in us, memory in GiB\nMinimize\n obj: c\nSubject To\n";
  int row = 0;
  auto r = [&row] { return fmt::format(" r{}: ", row++); };
  for (int a = 0; a < N; ++a) lp << r() << "c - s" << a << " >= " << length_us(pb, ps, a) << "\n";
  lp << r() << "c <= " << static_cast<double>(upper_bound_ns) / 1000 << "\n";
  auto after = [&](int later, int earlier, double gap) {
    lp << r() << "s" << later << " - s" << earlier << " >= " << length_us(pb, ps, earlier) + gap << "\n";
  };
  for (int s = 0; s < ps.S; ++s) {
    for (int m = 0; m < ps.M; ++m) {
      auto hop = [&](int from, int to) { return ps.shape.rank_of(from) == ps.shape.rank_of(to) ? 0.0 : send; };
      // Each pass after its input (semantics.hpp), a send later where it crosses ranks.
      for (int k = 0; k < 3; ++k) {
        const Step st{Passes::op_of_kind(k), s, m};
        if (const auto from = input_of(st, ps.S)) {
          after(ps.index(s, m, k), ps.index(from->stage, from->microbatch, Passes::kind_of(from->op)),
                input_from_another_stage(st, *from) ? hop(from->stage, s) : 0.0);
        }
      }
      // Each stage's microbatches in order, as the other tiers run them.
      if (m > 0) {
        for (int k = 0; k < 3; ++k) after(ps.index(s, m, k), ps.index(s, m - 1, k), 0);
      }
    }
  }
  // One pass at a time on a rank: for each pair, one runs before the other.
  std::map<std::pair<int, int>, int> pair_var;
  std::vector<std::vector<int>> on_rank(static_cast<std::size_t>(ps.P));
  for (int a = 0; a < N; ++a) on_rank[static_cast<std::size_t>(ps.rank(a))].push_back(a);
  int binaries = 0;
  for (const auto& list : on_rank) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        const int a = list[i], b = list[j], k = binaries++;
        pair_var[{a, b}] = k;
        // x = 1: a before b.
        lp << r() << "s" << b << " - s" << a << " - " << big << " x" << k << " >= " << length_us(pb, ps, a) - big << "\n";
        lp << r() << "s" << a << " - s" << b << " + " << big << " x" << k << " >= " << length_us(pb, ps, b) << "\n";
      }
    }
  }
  // Memory at each forward's start (GiB), when the rank's budget is finite.
  for (const auto& list : on_rank) {
    const int rank = ps.rank(list.front());
    const double budget = pb.budget_bytes[static_cast<std::size_t>(rank)];
    if (!std::isfinite(budget)) continue;
    for (int b : list) {
      if (ps.kind(b) != 0) continue;
      const auto sb = static_cast<std::size_t>(ps.stage(b));
      double constant = pb.activation_bytes[sb] / kGiB;
      std::string terms;
      for (int a : list) {
        if (a == b) continue;
        const auto sa = static_cast<std::size_t>(ps.stage(a));
        const double delta = memory_delta(ps.op(a), pb.activation_bytes[sa], pb.kept_for_w_bytes[sa]).bytes / kGiB;
        if (delta == 0) continue;
        // "a before b" is x(a,b) for a < b, else 1 - x(b,a).
        if (a < b) {
          terms += fmt::format(" {:+.12g} x{}", delta, pair_var.at({a, b}));
        } else {
          terms += fmt::format(" {:+.12g} x{}", -delta, pair_var.at({b, a}));
          constant += delta;
        }
      }
      if (terms.empty()) continue;
      lp << r() << terms << " <= " << fmt::format("{:.12g}", budget / kGiB - constant) << "\n";
    }
  }
  lp << "Bounds\n c >= 0\n";
  for (int a = 0; a < N; ++a) lp << " s" << a << " >= 0\n";
  lp << "Binary\n";
  for (int k = 0; k < binaries; ++k) lp << " x" << k << "\n";
  lp << "End\n";
  return lp.str();
}

std::optional<MilpSolution> read_glpsol_solution(const AutoProblem& pb, std::string_view text) {
  const Passes ps = passes_of(pb);
  const int N = ps.count();
  MilpSolution sol;
  std::vector<double> start(static_cast<std::size_t>(N), -1);
  bool saw_status = false, integer_found = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Status:")) {
      saw_status = true;
      sol.optimal = line.find("INTEGER OPTIMAL") != std::string::npos;
      integer_found = sol.optimal || line.find("INTEGER NON-OPTIMAL") != std::string::npos;
    }
    if (line.starts_with("Objective:")) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) sol.objective_us = std::strtod(line.c_str() + eq + 1, nullptr);
    }
    // Column lines: "  No. name [*] activity ...": the starts are s<index>.
    std::istringstream cols(line);
    std::string no, name, value;
    if (!(cols >> no >> name >> value)) continue;
    if (no.empty() || !std::isdigit(static_cast<unsigned char>(no[0])) || name.size() < 2 || name[0] != 's') continue;
    if (value == "*" && !(cols >> value)) continue;
    int a = -1;
    if (std::from_chars(name.data() + 1, name.data() + name.size(), a).ec != std::errc() || a < 0 || a >= N) continue;
    start[static_cast<std::size_t>(a)] = std::strtod(value.c_str(), nullptr);
  }
  if (!saw_status) throw MilpError("not a glpsol solution (no 'Status:' line): write it with glpsol --lp FILE -o SOLUTION");
  if (!integer_found) return std::nullopt;
  if (std::any_of(start.begin(), start.end(), [](double s) { return s < 0; })) {
    throw MilpError("the solution lacks the start of some pass: was it solved from this problem's LP?");
  }
  sol.program = ps.shape;
  sol.program.per_rank.assign(static_cast<std::size_t>(ps.P), {});
  std::vector<std::vector<int>> on_rank(static_cast<std::size_t>(ps.P));
  for (int a = 0; a < N; ++a) on_rank[static_cast<std::size_t>(ps.rank(a))].push_back(a);
  for (std::size_t r = 0; r < on_rank.size(); ++r) {
    auto& list = on_rank[r];
    // By start; ties by the index order that dependencies imply (F, I, W; microbatches in order).
    std::stable_sort(list.begin(), list.end(), [&](int a, int b) {
      return start[static_cast<std::size_t>(a)] < start[static_cast<std::size_t>(b)];
    });
    for (int a : list) {
      const Op op = ps.op(a);
      sol.program.per_rank[r].push_back(Action::single(op, ps.stage(a), ps.microbatch(a)));
    }
  }
  return sol;
}

}  // namespace pipescope
