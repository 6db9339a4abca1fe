#!/usr/bin/env bash
# Installs what is missing, builds pipescope twice (plain, then with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test in both,
# then runs the fuzzers for a bounded time.
#   --quick  the edit loop: one plain build, the CPU, GL and command-line
#            tiers (no explorer end-to-end, install, sanitizers, fuzzers or
#            fresh root): a few minutes once the build is warm.
# This is the README's test command and what CI runs. Run as root (as CI is),
# it then proves both README commands again on a fresh Debian 12 root
# (tests/fresh_machine.sh), so a package missing from tests/install_deps.sh
# fails here and not on a newcomer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [ "${1:-}" = --quick ]; then quick=true; shift; fi
if [ $# -gt 0 ]; then echo "usage: bash tests/run_all.sh [--quick]" >&2; exit 2; fi

bash tests/install_deps.sh

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure ${CTEST_EXCLUDE:+-LE "$CTEST_EXCLUDE"}
}

if $quick; then
  echo "== Quick tests (RelWithDebInfo; no e2e, install, sanitizers, fuzzers or fresh root)"
  CTEST_EXCLUDE='e2e|install' run_suite build
  exit 0
fi

echo "== Tests (RelWithDebInfo)"
run_suite build
echo "== Tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build-sanitize -DPIPESCOPE_SANITIZE=ON -DPIPESCOPE_BUILD_BENCHMARKS=OFF
echo "== Fuzzers (libFuzzer with AddressSanitizer + UBSan, ${PIPESCOPE_FUZZ_SECONDS:-30} s each)"
bash tests/run_fuzzers.sh "${PIPESCOPE_FUZZ_SECONDS:-30}"

# Inside the fresh root this script is the thing being proven: no recursion.
if [ -n "${PIPESCOPE_INSIDE_FRESH_ROOT:-}" ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && [ -z "${PIPESCOPE_SKIP_FRESH_ROOT:-}" ]; then
  echo "== The README's commands on a fresh Debian 12 root"
  bash tests/fresh_machine.sh
elif [ "${CI:-}" = true ] && [ "$(id -u)" -ne 0 ]; then
  echo "error: CI must run as root: the fresh Debian 12 check (tests/fresh_machine.sh) needs it" >&2
  exit 1
else
  echo "note: skipped the fresh Debian 12 check (tests/fresh_machine.sh): it needs root" \
       "(or PIPESCOPE_SKIP_FRESH_ROOT is set); CI runs it"
fi
