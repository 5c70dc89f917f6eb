#!/usr/bin/env bash
# veil's PBS and the peer's table lookup, timed in one run on this machine (the issue's
# side-by-side rule): veil's Google Benchmark for the loose sets p = 6, 7, 8 (one PBS on one
# thread, and batches on 1 and 2 threads), then concrete-python at the same precisions and
# p_error 0.05. Usage: bench/peer/side_by_side.sh BUILD_DIR OUT_DIR
set -euo pipefail
build="${1:?usage: side_by_side.sh BUILD_DIR OUT_DIR}"
out="${2:?usage: side_by_side.sh BUILD_DIR OUT_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
{ date -u +%FT%TZ; nproc; uptime; } > "$out/machine.txt"
"$build/bench/veil_fhe_bench" \
  --benchmark_filter='pbs_latency/v0_128_p[678]_L0_pe0.05|pbs_batch/v0_128_p[67]_L0_pe0.05' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/veil_fhe_bench.json" --benchmark_out_format=json | tee "$out/veil_fhe_bench.txt"
"$here/run.sh" --bits 6 7 8 --p-error 0.05 | tee "$out/peer_concrete_python.jsonl"
