#!/usr/bin/env bash
# The README's test command and what CI runs. Installs what is missing, then
# compiles each configuration once and runs every test in it:
#   1. plain (RelWithDebInfo, gcc): every tier, the explorer end-to-end and
#      the install test;
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer: every tier
#      again, and the same build's libFuzzer targets for a bounded time.
# Run as root (as CI is), the host compiles nothing: it makes a fresh Debian 12
# root and runs this very command inside it (tests/fresh_machine.sh), then
# opens the explorer there with the README's first command. That proves the
# README on a machine with only what tests/install_deps.sh installs, and
# every test still runs exactly once.
#   --quick  the edit loop: one plain build of the test programs (no
#            benchmarks, no explorer end-to-end binary) and the CPU, GL and
#            command-line tiers: a minute or two once the build is warm.
# Each stage's time is printed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [ "${1:-}" = --quick ]; then quick=true; shift; fi
if [ $# -gt 0 ]; then echo "usage: bash tests/run_all.sh [--quick]" >&2; exit 2; fi

stage_names=()
stage_seconds=()
run_started=$SECONDS
print_stage_times() {
  local status=$? i
  [ ${#stage_names[@]} -gt 0 ] || return 0
  echo "== Stage times${PIPESCOPE_INSIDE_FRESH_ROOT:+ (inside the fresh root)}"
  for i in "${!stage_names[@]}"; do
    printf '   %-58s %5d s\n' "${stage_names[i]}" "${stage_seconds[i]}"
  done
  printf '   %-58s %5d s (%d min)%s\n' "total" $((SECONDS - run_started)) $(((SECONDS - run_started + 59) / 60)) \
    "$([ "$status" -eq 0 ] || echo ", FAILED")"
}
trap print_stage_times EXIT
# stage "what it is" command...: runs the command and records its time.
stage() {
  local name=$1 start=$SECONDS; shift
  echo "== $name"
  stage_names+=("$name")
  stage_seconds+=(0)
  local status=0
  "$@" || status=$?
  stage_seconds[${#stage_seconds[@]} - 1]=$((SECONDS - start))
  return "$status"
}

jobs=$(nproc)
configure_and_build() {  # dir, then cmake options; PIPESCOPE_TARGETS limits what is built
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null || return
  local targets=()
  local t
  for t in ${PIPESCOPE_TARGETS:-}; do targets+=(--target "$t"); done
  cmake --build "$dir" -j"$jobs" "${targets[@]}"
}
run_tests() {  # dir, then ctest options
  local dir=$1; shift
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure "$@"
}

stage "Packages (tests/install_deps.sh)" bash tests/install_deps.sh

if $quick; then
  PIPESCOPE_TARGETS="pipescope engine_tests render_cpu_tests render_tests session_tests cli_tests" \
    stage "Quick build (plain; no benchmarks or end-to-end binary)" configure_and_build build
  stage "Quick tests (CPU, GL, command line; no e2e or install)" run_tests build -LE 'e2e|install'
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && [ -z "${PIPESCOPE_INSIDE_FRESH_ROOT:-}" ] && [ -z "${PIPESCOPE_SKIP_FRESH_ROOT:-}" ]; then
  # Root: everything once, inside a fresh Debian 12 root (it runs this script).
  stage "Every test, then the explorer, in a fresh Debian 12 root" bash tests/fresh_machine.sh
  exit 0
fi
if [ "${CI:-}" = true ] && [ "$(id -u)" -ne 0 ]; then
  echo "error: CI must run as root: the fresh Debian 12 check (tests/fresh_machine.sh) needs it" >&2
  exit 1
fi

stage "Plain build (RelWithDebInfo)" configure_and_build build
stage "Plain tests (every tier)" run_tests build
command -v clang++-14 >/dev/null || { echo "run_all: clang++-14 is missing (tests/install_deps.sh installs it)" >&2; exit 1; }
# One clang build serves the sanitized tests and the fuzzers (libFuzzer needs
# clang); the benchmarks are timed on the plain build only.
CC=clang-14 CXX=clang++-14 stage "Sanitizer build (clang, ASan + UBSan, tests and fuzzers)" \
  configure_and_build build-asan -DPIPESCOPE_SANITIZE=ON -DPIPESCOPE_FUZZ=ON -DPIPESCOPE_BUILD_BENCHMARKS=OFF
# Every test but one: the fit on 1,440 measured steps (18 s plain) takes six
# minutes sanitized, running the code the sanitized Calibrate and CliCalibrate
# tests run on a few rows; it runs in the plain pass above.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  stage "Sanitizer tests (every tier but the full fit)" run_tests build-asan -E 'CliCalibrate.FittedOnOneNode'
stage "Fuzzers (${PIPESCOPE_FUZZ_SECONDS:-30} s each)" \
  bash tests/run_fuzzers.sh "${PIPESCOPE_FUZZ_SECONDS:-30}" build-asan

if [ -z "${PIPESCOPE_INSIDE_FRESH_ROOT:-}" ]; then
  echo "note: ran on this machine, not a fresh Debian 12 root (tests/fresh_machine.sh): it needs root" \
       "(or PIPESCOPE_SKIP_FRESH_ROOT is set); CI runs it"
fi
