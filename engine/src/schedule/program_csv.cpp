#include "pipescope/schedule/program_csv.hpp"

#include "pipescope/io/input_file.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace pipescope {

namespace {

// Bounds that keep a hostile file from asking for absurd sizes.
constexpr int kMaxIndex = 1'000'000;

struct Cursor {
  int line, column;  // 1-based, of the cell being read
};

[[noreturn]] void fail(const Cursor& at, const std::string& rule) {
  throw CsvError(fmt::format("line {}, column {}: {}", at.line, at.column, rule));
}

// Reads a non-negative decimal number at the start of `s`; advances past it.
// Any number of digits: one too large saturates, so that the caller says
// it is beyond the bound rather than that no number is there.
std::optional<std::int64_t> number(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0) return std::nullopt;
  std::int64_t value = 0;
  if (n > 18 || std::from_chars(s.data(), s.data() + n, value).ec != std::errc()) value = INT64_MAX;
  s.remove_prefix(n);
  return value;
}

constexpr std::array<std::string_view, 7> kCommOps = {"SEND_F", "RECV_F", "SEND_B", "RECV_B",
                                                      "UNSHARD", "RESHARD", "REDUCE_GRAD"};

// One action: a compute step, or a communication action (returned in `comm`).
std::optional<Step> step(std::string_view cell, const Cursor& at, std::optional<CommAction>& comm, int rank) {
  std::string_view s = cell;
  const auto stage = number(s);
  if (!stage) fail(at, fmt::format("'{}' does not start with a stage number", printable(cell, 40)));
  if (*stage > kMaxIndex) fail(at, fmt::format("'{}': stage {} is beyond {}", printable(cell, 40), *stage, kMaxIndex));
  for (std::string_view op : kCommOps) {
    if (s.starts_with(op)) {
      s.remove_prefix(op.size());
      // Sends and receives move one microbatch; UNSHARD, RESHARD and
      // REDUCE_GRAD act on the whole stage and take none.
      const bool per_microbatch = op.starts_with("SEND") || op.starts_with("RECV");
      int mb = -1;
      if (!s.empty()) {
        const auto m = number(s);
        if (!m || !s.empty()) fail(at, fmt::format("'{}' is not an action: a microbatch number must follow {}", printable(cell, 40), op));
        if (!per_microbatch) fail(at, fmt::format("'{}': {} acts on a whole stage and takes no microbatch, as in 0{}", printable(cell, 40), op, op));
        if (*m > kMaxIndex) fail(at, fmt::format("'{}': microbatch {} is beyond {}", printable(cell, 40), *m, kMaxIndex));
        mb = static_cast<int>(*m);
      } else if (per_microbatch) {
        fail(at, fmt::format("'{}': {} moves one microbatch: its number must follow, as in 0{}3", printable(cell, 40), op, op));
      }
      comm = CommAction{rank, std::string(op), static_cast<int>(*stage), mb, at.line, at.column};
      return std::nullopt;
    }
  }
  if (s.empty()) fail(at, fmt::format("'{}' has no action letter (F, I, W or B)", printable(cell, 40)));
  Op op;
  switch (s.front()) {
    case 'F': op = Op::F; break;
    case 'I': op = Op::I; break;
    case 'W': op = Op::W; break;
    case 'B': op = Op::B; break;
    default: fail(at, fmt::format("'{}' is not an action: after the stage comes F, I, W, B or a communication "
                                  "action (SEND_F, RECV_B, ...)", printable(cell, 40)));
  }
  s.remove_prefix(1);
  const auto mb = number(s);
  if (!mb || !s.empty()) fail(at, fmt::format("'{}' is not an action: a microbatch number must end it, as in 0F3", printable(cell, 40)));
  if (*mb > kMaxIndex) fail(at, fmt::format("'{}': microbatch {} is beyond {}", printable(cell, 40), *mb, kMaxIndex));
  return Step{op, static_cast<std::int32_t>(*stage), static_cast<std::int32_t>(*mb)};
}

// A lowered file's communication must be the program's own: every send the
// compute actions imply, on the right rank, once, and nothing else.
void check_comms(const ParsedSchedule& parsed, int last_line) {
  if (parsed.comms.empty()) return;  // compute-only: nothing to check
  const Program& prog = parsed.program;
  // (op, stage, microbatch) -> the rank that must run it.
  std::map<std::tuple<std::string, int, int>, int> implied;
  for (int s = 0; s < prog.stages; ++s) {
    for (int m = 0; m < prog.microbatches; ++m) {
      if (s + 1 < prog.stages && prog.rank_of(s) != prog.rank_of(s + 1)) {
        implied[{"SEND_F", s, m}] = prog.rank_of(s);
        implied[{"RECV_F", s + 1, m}] = prog.rank_of(s + 1);
      }
      if (s > 0 && prog.rank_of(s) != prog.rank_of(s - 1)) {
        implied[{"SEND_B", s, m}] = prog.rank_of(s);
        implied[{"RECV_B", s - 1, m}] = prog.rank_of(s - 1);
      }
    }
  }
  std::set<std::tuple<std::string, int, int>> seen;
  for (const CommAction& c : parsed.comms) {
    const Cursor at{c.line, c.column};
    const std::string written = fmt::format("{}{}{}", c.stage, c.op, c.microbatch >= 0 ? std::to_string(c.microbatch) : "");
    if (c.stage >= prog.stages) {
      fail(at, fmt::format("'{}': stage {} is not in the program (stages 0..{})", printable(written, 40), c.stage, prog.stages - 1));
    }
    if (c.op == "UNSHARD" || c.op == "RESHARD" || c.op == "REDUCE_GRAD") {
      if (prog.rank_of(c.stage) != c.rank) {
        fail(at, fmt::format("'{}' is on rank {}, but stage {} lives on rank {}", printable(written, 40), c.rank, c.stage,
                             prog.rank_of(c.stage)));
      }
      continue;
    }
    const auto key = std::make_tuple(c.op, c.stage, c.microbatch);
    const auto it = implied.find(key);
    if (it == implied.end()) {
      fail(at, fmt::format("'{}' is not a send the program implies: sends go between neighbouring stages on "
                           "different ranks (SEND_F from stage s to s+1, SEND_B from s to s-1)",
                           printable(written, 40)));
    }
    if (it->second != c.rank) {
      fail(at, fmt::format("'{}' is on rank {}, but stage {} lives on rank {}", printable(written, 40), c.rank, c.stage, it->second));
    }
    if (!seen.insert(key).second) fail(at, fmt::format("'{}' appears twice", printable(written, 40)));
  }
  for (const auto& [key, rank] : implied) {
    if (!seen.count(key)) {
      const auto& [op, stage, mb] = key;
      fail({last_line, 1}, fmt::format("{}{}{} is missing on rank {}: a file with communication actions lists "
                                       "every send and receive the program implies",
                                       stage, op, mb, rank));
    }
  }
}

}  // namespace

ParsedSchedule parse_schedule_csv(std::string_view text) {
  ParsedSchedule out;
  struct Placed {
    Step step;
    int rank;
    Cursor at;
  };
  std::vector<Placed> steps;
  // A byte-order mark (a spreadsheet's "UTF-8 with BOM") is not part of the first cell.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // PyTorch's reader takes a blank line for a rank with no actions: the
    // same file must not mean one pipeline here and another there.
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      fail({line_no, 1}, "the line is blank, and PyTorch would read it as a rank with no actions: remove it");
    }
    const int rank = static_cast<int>(out.program.per_rank.size());
    out.program.per_rank.emplace_back();
    if (rank >= kMaxIndex) fail({line_no, 1}, "more ranks than pipescope reads");
    std::size_t col = 0;
    while (col <= line.size()) {
      // A cell runs to the next comma outside parentheses.
      std::size_t stop = col;
      int depth = 0;
      while (stop < line.size() && !(line[stop] == ',' && depth == 0)) {
        depth += line[stop] == '(' ? 1 : line[stop] == ')' ? -1 : 0;
        ++stop;
      }
      std::string_view cell = line.substr(col, stop - col);
      const Cursor at{line_no, static_cast<int>(col) + 1};
      while (!cell.empty() && (cell.front() == ' ' || cell.front() == '"')) cell.remove_prefix(1);
      while (!cell.empty() && (cell.back() == ' ' || cell.back() == '"')) cell.remove_suffix(1);
      if (!cell.empty()) {
        std::optional<CommAction> comm;
        if (cell.front() == '(') {
          const std::size_t close = cell.find(')');
          constexpr std::string_view kOverlap = "OVERLAP_F_B";
          if (close == std::string_view::npos || cell.substr(close + 1) != kOverlap) {
            fail(at, fmt::format("'{}' is not an action: a composite is written (F;B)OVERLAP_F_B", printable(cell, 40)));
          }
          const std::string_view inner = cell.substr(1, close - 1);
          const std::size_t semi = inner.find(';');
          if (semi == std::string_view::npos || inner.find(';', semi + 1) != std::string_view::npos) {
            fail(at, fmt::format("'{}': OVERLAP_F_B holds two actions, a forward and a full backward", printable(cell, 40)));
          }
          const auto f = step(inner.substr(0, semi), at, comm, rank);
          const auto b = step(inner.substr(semi + 1), at, comm, rank);
          if (!f || !b || f->op != Op::F || b->op != Op::B) {
            fail(at, fmt::format("'{}': OVERLAP_F_B holds a forward then a full backward, as (0F7;7B3)", printable(cell, 40)));
          }
          out.program.per_rank[rank].push_back(Action::overlap(f->stage, f->microbatch, b->stage, b->microbatch));
          steps.push_back({*f, rank, at});
          steps.push_back({*b, rank, at});
        } else if (const auto st = step(cell, at, comm, rank)) {
          out.program.per_rank[rank].push_back(Action::single(st->op, st->stage, st->microbatch));
          steps.push_back({*st, rank, at});
        } else {
          out.comms.push_back(*comm);
        }
      }
      col = stop + 1;
    }
  }
  // A trailing newline ends the last row; it is not a rank of its own.
  while (!out.program.per_rank.empty() && out.program.per_rank.back().empty() &&
         std::none_of(out.comms.begin(), out.comms.end(),
                      [&](const CommAction& c) { return c.rank == static_cast<int>(out.program.per_rank.size()) - 1; })) {
    out.program.per_rank.pop_back();
  }
  const int ranks = static_cast<int>(out.program.per_rank.size());
  if (ranks == 0 || steps.empty()) throw CsvError("line 1, column 1: no compute actions: a schedule has one row per rank");
  int stages = 0, microbatches = 0;
  for (const auto& p : steps) {
    stages = std::max(stages, p.step.stage + 1);
    microbatches = std::max(microbatches, p.step.microbatch + 1);
  }
  out.program.ranks = ranks;
  out.program.stages = stages;
  out.program.microbatches = microbatches;
  // Which rank the file runs each stage on: loop or V, as PyTorch places them.
  std::vector<int> holder(static_cast<std::size_t>(stages), -1);
  for (const auto& p : steps) {
    int& h = holder[static_cast<std::size_t>(p.step.stage)];
    if (h >= 0 && h != p.rank) {
      fail(p.at, fmt::format("stage {} runs on rank {} here but on rank {} earlier: a stage lives on one rank",
                             p.step.stage, p.rank, h));
    }
    h = p.rank;
  }
  if (stages % ranks != 0) {
    fail(steps.back().at, fmt::format("the stages 0..{} do not divide among {} ranks: pp x chunks stages are "
                                      "needed, the same number on every rank",
                                      stages - 1, ranks));
  }
  auto fits = [&](Placement placement) {
    out.program.placement = placement;
    for (int st = 0; st < stages; ++st) {
      if (holder[static_cast<std::size_t>(st)] != out.program.rank_of(st)) return false;
    }
    return true;
  };
  if (!fits(Placement::Loop) && !(stages == 2 * ranks && fits(Placement::V))) {
    out.program.placement = Placement::Loop;
    for (const auto& p : steps) {
      if (p.rank != out.program.rank_of(p.step.stage)) {
        fail(p.at, fmt::format("stage {} is on rank {}, but stages go to ranks in a loop (stage s on rank s mod {}) "
                               "or a V (stages r and {} - r on rank r)",
                               p.step.stage, p.rank, ranks, 2 * ranks - 1));
      }
    }
  }
  // Every (stage, microbatch): one F, and one B or one I and one W.
  std::map<std::tuple<int, int, Op>, Cursor> seen;
  for (const auto& p : steps) {
    if (!seen.emplace(std::make_tuple(p.step.stage, p.step.microbatch, p.step.op), p.at).second) {
      fail(p.at, fmt::format("{} appears twice", to_string(Action::single(p.step.op, p.step.stage, p.step.microbatch))));
    }
  }
  for (int s = 0; s < stages; ++s) {
    for (int m = 0; m < microbatches; ++m) {
      auto has = [&](Op op) { return seen.count({s, m, op}) > 0; };
      auto name = [&](Op op) { return to_string(Action::single(op, s, m)); };
      const Cursor end{line_no, 1};
      if (!has(Op::F)) fail(end, fmt::format("{} is missing: every stage runs every microbatch forward", name(Op::F)));
      if (has(Op::B) && (has(Op::I) || has(Op::W))) {
        fail(seen.at({s, m, has(Op::I) ? Op::I : Op::W}),
             fmt::format("{} and {} both appear: a backward is either B, or I and W", name(Op::B),
                         name(has(Op::I) ? Op::I : Op::W)));
      }
      if (!has(Op::B) && !(has(Op::I) && has(Op::W))) {
        fail(end, fmt::format("the backward of stage {} microbatch {} is missing: give {}, or {} and {}", s, m,
                              name(Op::B), name(Op::I), name(Op::W)));
      }
    }
  }
  check_comms(out, line_no);
  return out;
}

}  // namespace pipescope
