#!/usr/bin/env bash
# Video export against ffmpeg alone, on the same frames.
#   tests/bench/video_bench.sh [BUILD_DIR] [PRESET]
# 1. pipescope renders the notebook's default scene at 1600x1600, 15 fps,
#    into H.264 with the given x264 preset (default veryfast), timed.
# 2. The same frames, decoded to raw RGBA beforehand, are piped into ffmpeg
#    alone with the same settings, timed.
# Prints both and their ratio. Targets on the 2-core reference machine:
# ratio <= 1.3, export < 10 s (the notebook took 438 s).
set -euo pipefail
build=${1:-build}
preset=${2:-veryfast}
exe="$build/app/pipescope"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

start=$(now)
"$exe" render --video "$work/export.mp4" --size 1600x1600 --fps 15 --preset "$preset" --quiet
export_s=$(awk "BEGIN{print $(now) - $start}")
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$work/export.mp4")

# The same frames as raw RGBA, read once so the timed run reads from memory.
ffmpeg -v error -i "$work/export.mp4" -f rawvideo -pix_fmt rgba "$work/frames.rgba"
cat "$work/frames.rgba" > /dev/null
start=$(now)
cat "$work/frames.rgba" | ffmpeg -v error -y -f rawvideo -pix_fmt rgba -s 1600x1600 -framerate 15 -i - \
  -c:v libx264 -pix_fmt yuv420p -preset "$preset" -crf 23 -movflags +faststart "$work/alone.mp4"
alone_s=$(awk "BEGIN{print $(now) - $start}")

printf 'frames                 %s (1600x1600, 15 fps, preset %s)\n' "$frames" "$preset"
awk -v f="$frames" -v e="$export_s" -v a="$alone_s" 'BEGIN {
  printf "pipescope export       %.2f s  (%.1f frames/s)\n", e, f / e
  printf "ffmpeg alone           %.2f s  (%.1f frames/s)\n", a, f / a
  printf "ratio export / alone   %.2f\n", e / a
}'
