#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on) and runs each for a bounded time from its
# seed corpus in tests/fuzz/corpus. Any crash, leak or sanitizer report
# fails, and the input that caused it is kept in build-fuzz/artifacts.
#   bash tests/run_fuzzers.sh [seconds per target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
command -v clang++-14 >/dev/null || { echo "run_fuzzers: clang++-14 is missing (tests/install_deps.sh installs it)" >&2; exit 1; }

CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIPESCOPE_FUZZ=ON \
  -DPIPESCOPE_BUILD_TESTS=OFF -DPIPESCOPE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_command_line fuzz_schedule_csv fuzz_png fuzz_session fuzz_trace

mkdir -p build-fuzz/artifacts
for target in command_line schedule_csv png session trace; do
  # New inputs go to a scratch corpus: the committed seeds stay as they are.
  work=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-fuzz-$target.XXXXXX")
  echo "== fuzz_$target, ${seconds} s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
       -artifact_prefix="build-fuzz/artifacts/$target-" -print_final_stats=1 \
       "$work" "tests/fuzz/corpus/$target" > "build-fuzz/fuzz_$target.log" 2>&1; then
    tail -n 60 "build-fuzz/fuzz_$target.log" >&2
    rm -rf "$work"
    echo "run_fuzzers: fuzz_$target failed; its input is in build-fuzz/artifacts/" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/fuzz_$target.log" | tr '\n' ' '
  echo
  rm -rf "$work"
done
