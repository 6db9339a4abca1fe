#!/usr/bin/env bash
# Fitting the cost model to vTrain's 1,481 measured Megatron steps
# (tests/data/measured-step-times), as issue 23's command gives it: prints
# the fit's report and the wall time. Target: under 60 s on a 2-core machine.
#   bash tests/bench/calibrate_bench.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
exe="$build/app/pipescope"
[ -x "$exe" ] || { echo "calibrate_bench: build $exe first" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/pipescope-calibrate-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$exe" calibrate tests/data/measured-step-times/megatron-a100.csv --model transformer --vocab 50257 \
  --recompute full --schedule 1f1b --gpu-tflops 312 --gpu-memory-gib 80 --gpus-per-node 8 \
  --intra-node-gbps 150 --inter-node-gbps 12.5 -o "$out/a100.json"
end=$(date +%s.%N)
echo "calibrate_bench: $(python3 -c "print(f'{$end - $start:.1f}')") s (target: under 60 s)"
