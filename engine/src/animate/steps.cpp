#include "pipescope/animate/steps.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <utility>

namespace pipescope {

// Python's zip, visiting only generators that are not idling: a generator that
// idles for n steps is set aside until its step comes, so a step costs what
// its running generators do, however many wait (the notebook starts one
// generator per microbatch, most of them waiting most of the time).
Steps zip(std::vector<Steps> gens) {
  if (gens.empty()) co_return;  // zip() of nothing is empty
  std::vector<std::size_t> awake(gens.size()), still_awake, woken, merged;
  std::iota(awake.begin(), awake.end(), std::size_t{0});
  using Wake = std::pair<std::int64_t, std::size_t>;  // (step it runs again, index)
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> asleep;
  for (std::int64_t t = 0;;) {
    woken.clear();
    while (!asleep.empty() && asleep.top().first == t) {
      woken.push_back(asleep.top().second);
      asleep.pop();
    }
    if (!woken.empty()) {  // both sorted: run them in index order, as Python would
      merged.clear();
      std::merge(awake.begin(), awake.end(), woken.begin(), woken.end(), std::back_inserter(merged));
      awake.swap(merged);
    }
    still_awake.clear();
    for (std::size_t i : awake) {
      if (!gens[i].next()) co_return;  // the ones before it have advanced, as in Python
      if (const std::int64_t idle = gens[i].idle_steps(); idle > 0) {
        gens[i].skip(idle);
        asleep.emplace(t + idle + 1, i);
      } else {
        still_awake.push_back(i);
      }
    }
    awake.swap(still_awake);
    if (awake.empty() && !asleep.empty()) {  // nothing runs until the next one wakes
      const std::int64_t gap = asleep.top().first - t;
      co_yield IdleFor{gap};
      t += gap;
    } else {
      co_yield step;
      ++t;
    }
  }
}

Steps chain(std::vector<Steps> gens) {
  for (auto& g : gens) {
    while (g.next()) {
      if (const std::int64_t idle = g.idle_steps(); idle > 0) {
        g.skip(idle);
        co_yield IdleFor{idle + 1};
      } else {
        co_yield step;
      }
    }
  }
}

Steps idle(std::int64_t n) { co_yield IdleFor{n}; }

}  // namespace pipescope
