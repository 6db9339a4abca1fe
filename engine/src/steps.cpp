#include "pipescope/steps.hpp"

namespace pipescope {

Steps zip(std::vector<Steps> gens) {
  if (gens.empty()) co_return;  // zip() of nothing is empty
  for (;;) {
    for (auto& g : gens) {
      if (!g.next()) co_return;
    }
    co_yield step;
  }
}

Steps chain(std::vector<Steps> gens) {
  for (auto& g : gens) {
    while (g.next()) co_yield step;
  }
}

Steps idle(std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) co_yield step;
}

}  // namespace pipescope
