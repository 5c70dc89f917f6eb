#!/usr/bin/env bash
# Benchmark (not a test): the full ResNet-18 on one 224x224 image of ../shared/data/imagenet-val100
# in real FHE on every core: hours on 2 cores. Writes into RESULTS_DIR (default
# artifacts/bench-resnet18-fhe/<UTC time>):
#   report.txt       resnet18_fhe's report: clear and simulated stages, circuit summary, key
#                    sizes, PBS rate and estimate, the FHE image (time, top-5 next to the
#                    simulation's), summary (PBS/s, peak ciphertext memory, peak RSS)
#   layers.csv       per layer: time, PBS, PBS/s
#   statistics.json  the compiled circuit's statistics
#   time.txt         /usr/bin/time -v (peak RSS, CPU time), when /usr/bin/time exists
#   machine.txt      commit, CPU, cores, memory
#   summary.txt      the lines to copy into docs/benchmarks.md
# Usage: scripts/bench-resnet18-fhe.sh [RESULTS_DIR] [resnet18_fhe flags...]
# Run it detached, e.g. nohup scripts/bench-resnet18-fhe.sh > bench.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:-artifacts/bench-resnet18-fhe/$(date -u +%Y%m%dT%H%M%SZ)}"
shift || true
mkdir -p "$results"
scripts/build.sh
source scripts/resnet18-weights.sh
{
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet || echo ' (with local changes)')"
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) core(s)"
  echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2 / 1048576}')"
} > "$results/machine.txt"
# The first evaluation image (after the 10 calibration images) in FHE; the clear and simulated
# stages on that one image only, so that the run is the FHE image.
command=(build/apps/resnet18_fhe "${weights_args[@]}" --num-images 1 --run-fhe --fhe-images 1
         --export-statistics "$results/statistics.json" --fhe-layers "$results/layers.csv" "$@")
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$results/time.txt")
echo "Running: ${command[*]} (report in $results/report.txt, progress in $results/progress.log)"
"${timer[@]}" "${command[@]}" > "$results/report.txt" 2> "$results/progress.log"
{
  cat "$results/machine.txt"
  grep -E "estimated FHE time|PBS rate on this machine|Key generation took|FHE execution completed|FHE top 5|Simulation top 5|equals the simulation|FHE top-5 equal|mean time per image|peak resident" "$results/report.txt"
  [ -f "$results/time.txt" ] && grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$results/time.txt"
} > "$results/summary.txt"
cat "$results/summary.txt"
