#!/usr/bin/env bash
# The test command: installs dependencies, builds, makes test fixtures, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
