#!/usr/bin/env bash
# The test command: installs dependencies, builds, makes test fixtures, runs every test, then a
# short run of every loader fuzzer (docs/fuzzing.md: their seeds as regression inputs, then a few
# seconds of new inputs each (20 s), ~5.5 minutes on 2 free cores with the clang build; VEIL_FUZZ_SECONDS=0 skips
# it). A fuzzer's finding fails the run and prints the reproducer's path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fuzz_seconds="${VEIL_FUZZ_SECONDS:-20}"
if ((fuzz_seconds > 0)); then
  VEIL_FUZZ_JOBS="$(nproc)" tools/fuzz/run_fuzzers.sh "$fuzz_seconds"
fi
