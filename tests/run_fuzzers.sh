#!/usr/bin/env bash
# Runs the libFuzzer targets (clang, AddressSanitizer and UndefinedBehaviorSanitizer
# on) for a bounded time each from its seed corpus in tests/fuzz/corpus. Any
# crash, leak or sanitizer report fails, and the input that caused it is kept
# in BUILD_DIR/artifacts.
#   bash tests/run_fuzzers.sh [seconds per target, default 30] [BUILD_DIR, default build-asan]
# The build folder is the sanitized tests' own (tests/run_all.sh builds it
# once for both); it is configured and brought up to date here all the same.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${2:-build-asan}
command -v clang++-14 >/dev/null || { echo "run_fuzzers: clang++-14 is missing (tests/install_deps.sh installs it)" >&2; exit 1; }

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIPESCOPE_SANITIZE=ON \
  -DPIPESCOPE_FUZZ=ON -DPIPESCOPE_BUILD_BENCHMARKS=OFF >/dev/null
targets=(command_line schedule_csv png session trace)
cmake --build "$build" -j"$(nproc)" "${targets[@]/#/--target=fuzz_}"

mkdir -p "$build/artifacts"
for target in "${targets[@]}"; do
  # New inputs go to a scratch corpus: the committed seeds stay as they are.
  work=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-fuzz-$target.XXXXXX")
  echo "== fuzz_$target, ${seconds} s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
       -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 \
       "$work" "tests/fuzz/corpus/$target" > "$build/fuzz_$target.log" 2>&1; then
    tail -n 60 "$build/fuzz_$target.log" >&2
    rm -rf "$work"
    echo "run_fuzzers: fuzz_$target failed; its input is in $build/artifacts/" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$build/fuzz_$target.log" | tr '\n' ' '
  echo
  rm -rf "$work"
done
