#!/usr/bin/env bash
# Builds the loader fuzzers with clang (libFuzzer + ASan + UBSan, -O1, asserts on) in build-fuzz/,
# writes their seed corpora, and runs each fuzzer for SECONDS (default 30): first its seeds and its
# saved corpus (build-fuzz/fuzz-corpus/<kind>) as regression inputs, then new mutations. Prints the
# runs of each; any finding (crash, sanitizer report, leak, timeout, out-of-memory) fails the
# script and prints the reproducer's path under build-fuzz/findings/. docs/fuzzing.md says more.
# Needs clang and libclang-rt-dev (Debian); the seeds of images, checkpoints and shards need
# Debian's python3 with python3-torch, -torchvision and -pil (without them those fuzzers start empty).
# Usage: tools/fuzz/run_fuzzers.sh [SECONDS] [KIND...]   (kinds: tools/fuzz/CMakeLists.txt; default all)
# VEIL_FUZZ_BUILD_DIR overrides the build folder, VEIL_FUZZ_JOBS runs that many fuzzers at once (1).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${VEIL_FUZZ_BUILD_DIR:-$repo_root/build-fuzz}"
jobs="${VEIL_FUZZ_JOBS:-1}"
seconds="${1:-30}"
shift || true
kinds=("$@")

flags="-O1 -gline-tables-only"  # libFuzzer's usual: fast to build, line numbers in reports
cmake -S "$repo_root" -B "$build" -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_C_FLAGS_FUZZ="$flags" \
  -DCMAKE_CXX_FLAGS_FUZZ="$flags" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DVEIL_CUDA=OFF \
  -DVEIL_MPI=OFF -DVEIL_FUZZ=ON -DVEIL_BUILD_TESTS=OFF -DVEIL_BUILD_BENCH=OFF >/dev/null
targets=(veil_fuzzers)
if ((${#kinds[@]})); then
  targets=()
  for kind in "${kinds[@]}"; do targets+=("veil_fuzz_load_$kind"); done
fi
cmake --build "$build" -j "$(nproc)" --target veil_fuzz_make_seeds "${targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -n 60 "$build/fuzz-build.log"; exit 1; }

fuzz_dir="$build/tools/fuzz"
if ((!${#kinds[@]})); then
  for fuzzer in "$fuzz_dir"/veil_fuzz_load_*; do kinds+=("${fuzzer##*/veil_fuzz_load_}"); done
fi
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
"$fuzz_dir/veil_fuzz_make_seeds" "$seeds"
/usr/bin/python3 "$repo_root/tools/fuzz/make_io_seeds.py" "$seeds" ||
  echo "run_fuzzers: no seeds for images, checkpoints and shards (Debian's python3-torch missing?)" >&2

findings="$build/findings"
mkdir -p "$findings"

# One fuzzer; its one-line result goes to findings/<kind>.result, "FINDING" opening a failure.
run_one() {
  local kind="$1" corpus="$build/fuzz-corpus/$1" log="$findings/$1.log"
  mkdir -p "$corpus" "$seeds/$kind"
  # -max_len: 64 KiB covers every seed but the server key (18 MB), which is fuzzed through its
  # headers and the start of its payload; the array reading it shares with the other kinds.
  # -timeout: no input of 64 KiB may take a minute; -rss_limit_mb also caps single allocations.
  if "$fuzz_dir/veil_fuzz_load_$kind" "$corpus" "$seeds/$kind" -max_total_time="$seconds" -max_len=65536 \
    -timeout=60 -rss_limit_mb=2048 -artifact_prefix="$findings/$kind-" -print_final_stats=1 >"$log" 2>&1; then
    printf 'veil_fuzz_load_%-18s %10s runs in %ss, %s corpus files, no finding\n' "$kind" \
      "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" "$seconds" "$(find "$corpus" -type f | wc -l)"
  else
    local reproducer
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "FINDING in veil_fuzz_load_$kind: reproducer ${reproducer:-not written}; log $log;" \
      "rerun: $fuzz_dir/veil_fuzz_load_$kind ${reproducer:-}"
  fi >"$findings/$kind.result"
}

for kind in "${kinds[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  run_one "$kind" &
done
wait

failed=0
for kind in "${kinds[@]}"; do
  if grep -q '^FINDING' "$findings/$kind.result"; then
    failed=1
    tail -n 30 "$findings/$kind.log" >&2
  fi
  cat "$findings/$kind.result"
done
if ((failed)); then
  echo "run_fuzzers: findings above (reproducers and logs in $findings)" >&2
  exit 1
fi
