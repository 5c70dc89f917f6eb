#!/usr/bin/env bash
# Builds the loader fuzzers with clang (libFuzzer + ASan + UBSan) in build-fuzz/, writes seed
# corpora, and runs each fuzzer for SECONDS (default 30). Findings land in build-fuzz/findings/.
# Needs clang and libclang-rt-dev (Debian). Usage: tools/fuzz/run_fuzzers.sh [SECONDS] [KIND...]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${VEIL_FUZZ_BUILD_DIR:-$repo_root/build-fuzz}"
seconds="${1:-30}"
shift || true
kinds=("$@")
((${#kinds[@]})) || kinds=(parameter_set client_key server_key ciphertext_batch)

cmake -S "$repo_root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DVEIL_CUDA=OFF -DVEIL_FUZZ=ON -DVEIL_BUILD_TESTS=OFF -DVEIL_BUILD_BENCH=OFF >/dev/null
targets=(veil_fuzz_make_seeds)
for kind in "${kinds[@]}"; do targets+=("veil_fuzz_load_$kind"); done
cmake --build "$build" -j2 --target "${targets[@]}"

fuzz_dir="$build/tools/fuzz"
seeds="$build/fuzz-seeds"
"$fuzz_dir/veil_fuzz_make_seeds" "$seeds"
mkdir -p "$build/findings"
for kind in "${kinds[@]}"; do
  corpus="$build/fuzz-corpus/$kind"
  mkdir -p "$corpus"
  echo "== veil_fuzz_load_$kind for ${seconds}s" >&2
  # -max_len: 64 KiB covers every seed but the server key (18 MB), which is fuzzed through its
  # headers and the start of its payload; the array reading it shares with the other kinds.
  "$fuzz_dir/veil_fuzz_load_$kind" "$corpus" "$seeds/$kind" -max_total_time="$seconds" -max_len=65536 \
    -rss_limit_mb=4096 -artifact_prefix="$build/findings/$kind-" -print_final_stats=1 2>&1 | tail -n 12
done
