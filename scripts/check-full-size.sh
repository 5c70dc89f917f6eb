#!/usr/bin/env bash
# The full-size check (issue 12 item 5): one 224 x 224 image through the whole ResNet-18 in real
# FHE arithmetic, through veil_fhe's files and steps, on the INSECURE toy set
# insecure_toy_p6_n8_N1024; passes when the decrypted output integers equal the integer
# executor's exactly. Prints each step's wall time and the peak RSS. The test suite runs the same
# check (ctest full_size.check): ~4 min on 2 cores with AVX-512, ~10 with AVX2
# (docs/benchmarks.md). Needs the build (scripts/build.sh), Debian's python3-torch for the sparse checkpoint, and ../shared/data.
# Usage: scripts/check-full-size.sh [WORK_DIR] [extra veil_full_size_check flags, e.g. --threads 2]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-build/full-size}"
shift || true
cmake --build build -j "$(nproc)" --target veil_full_size_check >/dev/null
/usr/bin/python3 tests/reference/make_nn_fixtures.py --out "$work" --weights-only --sparse >/dev/null
rm -rf "$work/model" "$work/keys" "$work/in.slwe" "$work/out.lwe"
exec build/bench/veil_full_size_check --insecure-toy-set-for-tests --weights "$work/nn/resnet18_sparse.pth" \
  --work-dir "$work" --data ../shared/data "$@"
