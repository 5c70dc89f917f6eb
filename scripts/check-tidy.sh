#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) over every library and program source of a configured
# build (compile_commands.json) and fails on any finding. ~20 CPU-minutes on 2 cores, so not part
# of the test command; run it before a change that touches many files.
# Usage: scripts/check-tidy.sh [BUILD_DIR (default build)] [JOBS (default: all cores)]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
jobs=${2:-$(nproc)}
[[ -f $build_dir/compile_commands.json ]] || { echo "no $build_dir/compile_commands.json: run scripts/build.sh first"; exit 1; }
runner=""
for candidate in run-clang-tidy run-clang-tidy-14; do
  command -v "$candidate" > /dev/null && { runner=$candidate; break; }
done
[[ -n $runner ]] || { echo "run-clang-tidy is not installed (scripts/install-deps.sh installs clang-tidy)"; exit 1; }
mapfile -t sources < <(git ls-files 'src/*.cpp' 'apps/*.cpp' 'examples/*.cpp')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$runner" -j "$jobs" -p "$build_dir" -header-filter='(include/veil|src)/' -quiet "${sources[@]/#/$PWD/}" > "$log" 2>&1 || true
if grep -E '(warning|error): ' "$log"; then
  echo "clang-tidy: findings above (checks: .clang-tidy)"
  exit 1
fi
echo "clang-tidy: ${#sources[@]} sources, no findings"
