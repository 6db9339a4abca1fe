#!/usr/bin/env bash
# Reading a large measured run: makes a folder of 4 rank traces of about
# 50 MB each (200 MB in all) by repeating tests/data/measured/1f1b-p4-m8's
# step as ProfilerStep#1..N, then times `pipescope stats --measured` on it
# (plain JSON, then gzipped) and prints the wall time and the peak memory.
# Target: under 5 s and under 1 GB on a 2-core machine.
#   bash tests/bench/measured_bench.sh [build dir, default build] [MB per rank, default 50]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
mb=${2:-50}
exe="$build/app/pipescope"
[ -x "$exe" ] || { echo "measured_bench: build $exe first" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-measured-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/traces"
python3 - "$dir/traces" "$mb" <<'PY'
import gzip, json, sys
out, mb = sys.argv[1], int(sys.argv[2])
for r in range(4):
    t = json.load(gzip.open(f"tests/data/measured/1f1b-p4-m8/rank{r}.json.gz"))
    events = t["traceEvents"]
    one = len(json.dumps(events))
    span = max(e["ts"] + e.get("dur", 0) for e in events if "ts" in e) - min(e["ts"] for e in events if "ts" in e)
    copies = max(1, mb * 1_000_000 // one)
    with open(f"{out}/rank{r}.json", "w") as f:
        head = {k: v for k, v in t.items() if k != "traceEvents"}
        f.write(json.dumps(head)[:-1] + ', "traceEvents": [')
        for k in range(copies):
            for i, e in enumerate(events):
                e2 = dict(e)
                if "ts" in e2: e2["ts"] = e["ts"] + k * (span + 1000)
                if e2.get("name") == "ProfilerStep#1": e2["name"] = f"ProfilerStep#{k + 1}"
                f.write(("" if k == 0 and i == 0 else ",") + json.dumps(e2))
        f.write("]}")
PY
du -sh "$dir/traces"
measure() {
  /usr/bin/time -f "%e %M" -o "$dir/time" "$exe" stats --json --measured "$dir/traces" > "$dir/stats.json"
  read -r seconds kib < "$dir/time"
  steps=$(python3 -c "import json; print(json.load(open('$dir/stats.json'))['measured']['step'])")
  echo "$1: $(du -sh "$dir/traces" | cut -f1) read in ${seconds} s, peak memory $((kib / 1024)) MiB (ProfilerStep#$steps, the last)"
}
measure "plain JSON"
gzip "$dir"/traces/rank*.json
measure "gzipped"
