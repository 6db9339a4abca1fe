#include "pipescope/analysis/units.hpp"

#include <cmath>

#include <fmt/format.h>

namespace pipescope {

std::string duration_text(TimeUnit unit, double t) {
  if (unit == TimeUnit::Frames) return fmt::format("{:.0f} frame{}", t, std::abs(t) == 1 ? "" : "s");
  const double us = t / 1000, a = std::abs(us);
  if (a == 0) return "0 us";
  if (a < 1) return fmt::format("{:.3f} us", us);
  if (a < 1000) return fmt::format("{:.1f} us", us);
  if (a < 1e6) return fmt::format("{:.2f} ms", us / 1000);
  return fmt::format("{:.3f} s", us / 1e6);
}

std::string tick_text(TimeUnit unit, double t, double step) {
  if (t == 0) return "0";
  if (unit == TimeUnit::Frames) return fmt::format("{:.0f}", t);
  const char* name = "ns";
  double scale = 1;
  if (step >= 1e9) {
    name = "s", scale = 1e9;
  } else if (step >= 1e6) {
    name = "ms", scale = 1e6;
  } else if (step >= 1e3) {
    name = "us", scale = 1e3;
  }
  return fmt::format("{:g} {}", t / scale, name);
}

std::string bytes_text(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (std::abs(b) >= 1024 && u < 5) b /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

const char* time_unit_name(TimeUnit unit) { return unit == TimeUnit::Frames ? "frames" : "us"; }

}  // namespace pipescope
