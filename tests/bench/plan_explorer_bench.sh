#!/usr/bin/env bash
# The explorer while the Planner panel's search runs on its thread: opens a
# preset with the Planner section open, presses Plan, plays the step (a frame
# drawn every refresh) under Xvfb, and prints the frame times logged while
# the search ran, beside those after it. Target: every frame under 33 ms.
#   bash tests/bench/plan_explorer_bench.sh [build dir, default build] [preset, default gpt3-175b-a100]
set -euo pipefail
cd "$(dirname "$0")/../.."
exe="$(pwd)/${1:-build}/app/pipescope"
preset="${2:-gpt3-175b-a100}"
[ -x "$exe" ] || { echo "plan_explorer_bench: build $exe first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-plan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The preset as a session whose panels show the Planner first.
python3 - "assets/presets/$preset.json" "$work/session.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["layout"] = {"sections": {n: n == "Planner" for n in
               ["Session", "Parameters", "View", "Export", "Stats", "Schedule metrics", "Auto-schedule", "Planner"]}}
json.dump(s, open(sys.argv[2], "w"))
PY
xvfb-run -a -s "-screen 0 1700x1100x24" bash -c "
  '$exe' --session '$work/session.json' --window 1600x1000 --log-state > '$work/log' 2>&1 &
  pid=\$!
  sleep 8
  at=\$(grep 'widget planner:plan' '$work/log' | tail -1 | awk '{print int((\$3+\$5)/2), int((\$4+\$6)/2)}')
  xdotool mousemove 800 300; sleep 0.3
  xdotool keydown space; sleep 0.3; xdotool keyup space  # play: a frame every refresh
  sleep 1
  xdotool mousemove \$at click 1
  sleep 12; kill \$pid" || true
python3 - "$work/log" <<'PY'
import sys, statistics
def frames(prefix):
    t = sorted(float(l.split("=")[1]) for l in open(sys.argv[1]) if l.startswith(prefix))
    return t[3:] if prefix == "playing" else t  # the first frames build the font atlas and upload the scene
t, base = frames("planner frame_ms="), frames("playing")
if not t:
    sys.exit("plan_explorer_bench: no frames were logged while the search ran")
for name, v in (("while the planner ran", t), ("playing without it", base)):
    if v:
        print(f"{len(v)} frames drawn {name}: median {statistics.median(v):.1f} ms, "
              f"95th {v[int(0.95 * (len(v) - 1))]:.1f} ms, worst {v[-1]:.1f} ms (target: under 33 ms)")
PY
