#!/usr/bin/env bash
# Installs the Debian 12 packages pipescope builds, tests and runs with,
# skipping what is already there. Safe to run again.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config
  # engine and command line
  libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  # rendering and the explorer
  libgl-dev libopengl-dev libegl-dev libglfw3-dev libglm-dev libimgui-dev libfreetype-dev libfontconfig-dev
  libpng-dev libstb-dev python3-glad fonts-dejavu-core help2man
  # tests and benchmarks
  libgtest-dev libbenchmark-dev
  # the exact tier of --schedule auto (glpsol), which its tests run
  glpk-utils
  # video export, and the window system the end-to-end tests drive
  ffmpeg xvfb xauth xdotool
  # the fresh-machine check (tests/fresh_machine.sh)
  debootstrap
  # the fuzzers (tests/run_fuzzers.sh): clang and its libFuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
# apt's and dpkg's chatter goes to a log, shown only when something fails.
log=$(mktemp "${TMPDIR:-/tmp}/pipescope-apt.XXXXXX")
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
       $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "error: apt-get could not install: ${missing[*]} (its output above, all of it in $log)" >&2
  exit 1
fi
rm -f "$log"
