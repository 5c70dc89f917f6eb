#!/usr/bin/env bash
# The full-size check (issue 12 item 5): one 224 x 224 image through the whole ResNet-18 in real
# FHE arithmetic, through veil_fhe's files and steps, on the INSECURE toy set
# insecure_toy_p6_n8_N1024; passes when the decrypted output integers equal the integer
# executor's exactly. Prints each step's wall time and the peak RSS. It is the test suite's
# full_size.* tests (tests/CMakeLists.txt), run here alone and verbose: ~4 min on 2 cores with
# AVX-512, ~10 with AVX2 (docs/benchmarks.md). Needs the build (scripts/build.sh), Debian's
# python3-torch for the sparse checkpoint, and ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d ../shared/data/imagenet-val100 ]]; then
  echo "check-full-size: ../shared/data/imagenet-val100 is absent; the check needs its images" >&2
  exit 1
fi
cmake build >/dev/null  # the tests exist only where the build was configured with the images
cmake --build build -j "$(nproc)" --target veil_full_size_check >/dev/null
exec ctest --test-dir build -R '^full_size\.' --no-tests=error --output-on-failure -V
