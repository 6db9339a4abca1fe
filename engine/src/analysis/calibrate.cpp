#include "pipescope/analysis/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <exception>
#include <stdexcept>
#include <thread>

#include "pipescope/model/param_table.hpp"
#include "pipescope/schedule/simulate.hpp"

namespace pipescope {

namespace {

// The search runs over unbounded coordinates: the logit of mfu (a share of
// peak), the logarithm of the rest (positive, and spanning decades).
double to_value(std::string_view key, double x) {
  if (key == "mfu") return 1 / (1 + std::exp(-x));
  const double v = std::exp(std::clamp(x, -40.0, 40.0));
  return key == "collective_efficiency" ? std::min(v, 100.0) : v;
}

constexpr std::size_t index_of(std::string_view key) {
  return static_cast<std::size_t>(std::find(kFittedKeys.begin(), kFittedKeys.end(), key) - kFittedKeys.begin());
}

double to_coordinate(std::string_view key, double v) {
  if (key == "mfu") return std::log(v / (1 - v));
  return std::log(v);
}

// Where the searches start: an efficiency people see, links at their
// bandwidth, and fixed costs from none to milliseconds. The loss has local
// minima along the host's floor (a floor of 0 and a floor that hides small
// layers both explain single-node runs), so each start is searched and the best kept.
constexpr std::array<double, kFittedKeys.size()> kStart = {0.5, 10, 4, 1, 100, 100};
constexpr double kFloorStarts[] = {10, 1000, 3000};   // layer_floor_us
constexpr double kPassStarts[] = {100, 1000};        // pass_overhead_us

struct Prepared {
  const CalibrationRow* row;
  Program program;  // the row's schedule, built once
};

double predict_ms(const Prepared& r, const std::vector<double>& values) {
  Params q = r.row->params;
  apply_fitted(q, values);
  return static_cast<double>(simulate(r.program, costs_for(q)).makespan) / 1e6;
}

// sum of term(i) for i < n, over the machine's cores (each row's simulation
// stands alone). Each worker sums its rows in order and the partial sums are
// added in order: the same inputs give the same bits, however threads run.
template <typename Term>
double parallel_sum(std::size_t n, Term&& term) {
  const std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (workers == 1 || n < 64) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += term(i);
    return sum;
  }
  std::vector<double> partial(workers, 0.0);
  std::vector<std::exception_ptr> failed(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        for (std::size_t i = w; i < n; i += workers) partial[w] += term(i);
      } catch (...) {
        failed[w] = std::current_exception();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
  double sum = 0;
  for (const double s : partial) sum += s;
  return sum;
}

// Nelder and Mead's simplex, with the usual coefficients (reflection 1,
// expansion 2, contraction 1/2, shrink 1/2).
template <typename Loss>
std::vector<double> nelder_mead(Loss&& loss, std::vector<double> start, double step, int max_evaluations,
                                int& evaluations) {
  const std::size_t n = start.size();
  std::vector<std::vector<double>> simplex(n + 1, start);
  for (std::size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  std::vector<double> f(n + 1);
  for (std::size_t i = 0; i <= n; ++i) f[i] = loss(simplex[i]);
  evaluations += static_cast<int>(n + 1);
  std::vector<std::size_t> order(n + 1);
  while (evaluations < max_evaluations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f[a] < f[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (std::abs(f[worst] - f[best]) < 1e-10) break;
    std::vector<double> centre(n, 0.0);
    for (std::size_t i : order) {
      if (i == worst) continue;
      for (std::size_t d = 0; d < n; ++d) centre[d] += simplex[i][d] / static_cast<double>(n);
    }
    auto along = [&](double t) {
      std::vector<double> x(n);
      for (std::size_t d = 0; d < n; ++d) x[d] = centre[d] + t * (simplex[worst][d] - centre[d]);
      return x;
    };
    const std::vector<double> reflected = along(-1);
    const double fr = loss(reflected);
    ++evaluations;
    if (fr < f[best]) {
      const std::vector<double> expanded = along(-2);
      const double fe = loss(expanded);
      ++evaluations;
      if (fe < fr) {
        simplex[worst] = expanded, f[worst] = fe;
      } else {
        simplex[worst] = reflected, f[worst] = fr;
      }
    } else if (fr < f[second]) {
      simplex[worst] = reflected, f[worst] = fr;
    } else {
      const std::vector<double> contracted = fr < f[worst] ? along(-0.5) : along(0.5);
      const double fc = loss(contracted);
      ++evaluations;
      if (fc < std::min(fr, f[worst])) {
        simplex[worst] = contracted, f[worst] = fc;
      } else {
        for (std::size_t i = 0; i <= n; ++i) {
          if (i == best) continue;
          for (std::size_t d = 0; d < n; ++d) simplex[i][d] = simplex[best][d] + 0.5 * (simplex[i][d] - simplex[best][d]);
          f[i] = loss(simplex[i]);
          ++evaluations;
        }
      }
    }
  }
  return simplex[static_cast<std::size_t>(std::min_element(f.begin(), f.end()) - f.begin())];
}

}  // namespace

double mean_absolute_error(const std::vector<RowPrediction>& rows) {
  if (rows.empty()) return 0;
  double sum = 0;
  for (const RowPrediction& r : rows) sum += std::abs(r.error());
  return sum / static_cast<double>(rows.size());
}

void apply_fitted(Params& p, const std::vector<double>& values) {
  for (std::size_t i = 0; i < kFittedKeys.size() && i < values.size(); ++i) {
    p.*param_spec(kFittedKeys[i])->number = values[i];
  }
}

CalibrationResult calibrate(const std::vector<CalibrationRow>& rows, const CalibrationOptions& o) {
  std::vector<Prepared> fit, held;
  std::vector<std::size_t> index_fit, index_held;
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool larger = o.holdout_gpus_above && rows[i].params.gpus() > static_cast<double>(*o.holdout_gpus_above);
    const bool drawn = unit(rng) < o.holdout_fraction;  // drawn for every row, so the draw does not depend on the rule above
    Prepared r{&rows[i], make_plan(rows[i].params).program};
    if (larger || drawn) {
      held.push_back(std::move(r));
      index_held.push_back(i);
    } else {
      fit.push_back(std::move(r));
      index_fit.push_back(i);
    }
  }
  if (fit.empty()) throw std::invalid_argument("no row is left to fit: hold fewer out");

  auto values_of = [](const std::vector<double>& x) {
    std::vector<double> v(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) v[i] = to_value(kFittedKeys[i], x[i]);
    return v;
  };
  auto loss = [&](const std::vector<double>& x) {
    const std::vector<double> v = values_of(x);
    const double sum = parallel_sum(fit.size(), [&](std::size_t i) {
      const double e = std::log(predict_ms(fit[i], v) / fit[i].row->step_ms);
      return e * e;
    });
    return sum / static_cast<double>(fit.size());
  };
  CalibrationResult out;
  std::vector<double> best_x;
  double best = INFINITY;
  const int per_start = o.max_evaluations / static_cast<int>(std::size(kFloorStarts) * std::size(kPassStarts));
  for (const double floor_us : kFloorStarts) {
    for (const double pass_us : kPassStarts) {
      std::array<double, kFittedKeys.size()> start = kStart;
      start[index_of("layer_floor_us")] = floor_us;
      start[index_of("pass_overhead_us")] = pass_us;
      std::vector<double> x(kFittedKeys.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = to_coordinate(kFittedKeys[i], start[i]);
      // Restarts: a simplex rebuilt where the last one stopped escapes the
      // collapse Nelder-Mead is prone to on six coordinates; stop when a
      // round no longer improves.
      const int until = out.evaluations + per_start;
      double before = loss(x);
      for (int round = 0; round < 6 && out.evaluations < until; ++round) {
        x = nelder_mead(loss, x, round == 0 ? 1.0 : 0.5, until, out.evaluations);
        const double now = loss(x);
        if (before - now < 1e-7) break;
        before = now;
      }
      if (before < best) {
        best = before;
        best_x = x;
      }
    }
  }
  out.values = values_of(best_x);
  for (std::size_t k = 0; k < fit.size(); ++k) {
    out.fit.push_back({index_fit[k], predict_ms(fit[k], out.values), fit[k].row->step_ms});
  }
  for (std::size_t k = 0; k < held.size(); ++k) {
    out.held_out.push_back({index_held[k], predict_ms(held[k], out.values), held[k].row->step_ms});
  }
  return out;
}

}  // namespace pipescope
