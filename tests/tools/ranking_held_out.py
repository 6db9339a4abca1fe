#!/usr/bin/env python3
"""How well pipescope ranks layouts it was not fitted on: fits a hardware
profile (pipescope calibrate) on the measured Megatron steps of one model
width and ranks the layouts run for the other width's problems (a model,
batch and GPU count with four or more layouts), counting how often the
measured fastest is among the three predicted fastest.

    python3 tests/tools/ranking_held_out.py [build dir, default build]
"""
import collections, csv, json, os, subprocess, sys, tempfile

root = os.path.join(os.path.dirname(__file__), "..", "..")
exe = os.path.join(root, sys.argv[1] if len(sys.argv) > 1 else "build", "app", "pipescope")
runs = os.path.join(root, "tests", "data", "measured-step-times", "megatron-a100.csv")
cluster = ["--model", "transformer", "--vocab", "50257", "--recompute", "full", "--schedule", "1f1b",
           "--gpu-tflops", "312", "--gpu-memory-gib", "80", "--gpus-per-node", "8",
           "--intra-node-gbps", "150", "--inter-node-gbps", "12.5"]
rows = list(csv.DictReader(open(runs, newline="")))
header = list(rows[0].keys())

def fit(subset, folder):
    path = os.path.join(folder, "fit.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(subset)
    profile = os.path.join(folder, "profile.json")
    subprocess.run([exe, "calibrate", path, *cluster, "-o", profile], check=True, capture_output=True)
    return profile

def predicted_us(row, profile):
    args = []
    for k in header:
        if k != "step_ms":
            args += [f"--{k}", row[k]]
    hardware = ["--hardware", profile] if profile else []
    out = subprocess.run([exe, "stats", "--json", *cluster, *hardware, *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["makespan_us"]

# (None, None): no fit at all, the cost model at its nominal constants, every width ranked.
for fit_width, rank_width in (("1024", "2048"), ("2048", "1024"), (None, None)):
    with tempfile.TemporaryDirectory() as folder:
        profile = fit([r for r in rows if r["d-model"] == fit_width], folder) if fit_width else None
        problems = collections.defaultdict(list)
        for r in rows:
            if rank_width and r["d-model"] != rank_width:
                continue
            gpus = int(r["tp"]) * int(r["dp"]) * int(r["pp"])
            problems[(r["d-model"], r["heads"], r["layers"], r["seq-len"], r["batch"], gpus)].append(r)
        total = top3 = first = 0
        for key, group in problems.items():
            if len(group) < 4:
                continue
            ranked = sorted(group, key=lambda r: predicted_us(r, profile))
            fastest = min(float(r["step_ms"]) for r in group)
            place = [float(r["step_ms"]) for r in ranked].index(fastest)
            total += 1
            top3 += place < 3
            first += place == 0
        what = f"fitted on d-model {fit_width}, ranked d-model {rank_width}" if fit_width else "not fitted"
        print(f"{what}: measured fastest in the top 3 "
              f"for {top3} of {total} problems (first: {first})")
