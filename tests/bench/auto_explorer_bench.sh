#!/usr/bin/env bash
# The explorer while --schedule auto's curve and longer search run on their
# thread: plays the step (a frame drawn every refresh) under Xvfb and prints
# the frame times logged while the search ran. Target: every frame under 33 ms.
#   bash tests/bench/auto_explorer_bench.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/../.."
exe="${1:-build}/app/pipescope"
[ -x "$exe" ] || { echo "auto_explorer_bench: build $exe first" >&2; exit 1; }
log=$(mktemp "${TMPDIR:-/tmp}/pipescope-auto-bench.XXXXXX")
trap 'rm -f "$log"' EXIT
# pp 16, 64 microbatches of a GPT-style model: seconds of search.
xvfb-run -a -s "-screen 0 1700x1100x24" bash -c "
  '$exe' --schedule auto --model transformer --d-model 4096 --heads 32 --seq-len 2048 --layers 64 --pp 16 \
    --dp 1 --microbatches 64 --batch 64 --gpu-memory-gib 60 --window 1600x1000 --log-state > '$log' 2>&1 &
  pid=\$!
  sleep 2; xdotool mousemove 800 300; sleep 0.3
  xdotool keydown space; sleep 0.3; xdotool keyup space  # play: a frame every refresh
  sleep 20; kill \$pid" || true
python3 - "$log" <<'PY'
import sys, statistics
t = [float(l.split("=")[1]) for l in open(sys.argv[1]) if l.startswith("auto-search frame_ms=")]
if not t:
    sys.exit("auto_explorer_bench: no frames were logged while the search ran")
t = t[3:]  # the first frames build the font atlas and upload the scene
if not t:
    sys.exit("auto_explorer_bench: the search ended before the step played")
t.sort()
print(f"{len(t)} frames drawn while the search ran: median {statistics.median(t):.1f} ms, "
      f"95th {t[int(0.95 * (len(t) - 1))]:.1f} ms, worst {t[-1]:.1f} ms (target: under 33 ms)")
PY
