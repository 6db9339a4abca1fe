#!/usr/bin/env bash
# Installs what is missing, builds pipescope twice (plain, then with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test in both.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install_deps.sh

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure
}

echo "== Tests (RelWithDebInfo)"
run_suite build
echo "== Tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build-sanitize -DPIPESCOPE_SANITIZE=ON -DPIPESCOPE_BUILD_BENCHMARKS=OFF
