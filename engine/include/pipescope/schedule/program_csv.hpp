#pragma once
// Reading PyTorch's schedule CSV (torch.distributed.pipelining's IR): one row
// per rank, comma-separated actions, empty cells idle. Compute actions (`0F3`,
// `1I3`, `1W3`, `2B0`, `(0F7;7B3)OVERLAP_F_B`) make the program; the
// communication actions of a lowered file (`0SEND_F3`, `1RECV_B0`,
// `0UNSHARD`, `0RESHARD`, `0REDUCE_GRAD`) are recognised and set aside.
// Errors name the line and column and the rule broken.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/schedule/program.hpp"

namespace pipescope {

struct CsvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A communication action as the file wrote it, for checking against the
// sends the program implies.
struct CommAction {
  int rank;
  std::string op;  // "SEND_F", "RECV_B", "UNSHARD", ...
  int stage;
  int microbatch;  // -1 where the action has none
  int line = 0, column = 0;  // where the file wrote it
};

struct ParsedSchedule {
  Program program;  // ranks = rows; stages and placement inferred (see below)
  std::vector<CommAction> comms;
};

// Parses `text`. The stages are 0 .. the largest stage named; which rank
// holds a stage is read from the file (the rank whose row runs it) and must
// be loop (s mod p) or V (r and 2p-1-r); microbatches are 0 .. the largest
// named. Every (stage, microbatch) must have one F and either one B or one I
// and one W, each on the stage's rank. Throws CsvError naming line, column
// and rule; the schedule is not checked for deadlock (simulate() does that).
// A file with communication actions must hold exactly the sends its compute
// actions imply (SEND_F/RECV_F, SEND_B/RECV_B between stages on different
// ranks, each on the rank that holds its stage) and UNSHARD/RESHARD/
// REDUCE_GRAD only for stages its row holds; past that check they are set aside.
ParsedSchedule parse_schedule_csv(std::string_view text);

}  // namespace pipescope
