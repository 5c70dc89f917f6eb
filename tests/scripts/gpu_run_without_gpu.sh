#!/usr/bin/env bash
# scripts/gpu-run.sh on a machine without a GPU must say so and stop at once with status 2,
# before it looks for a bundle. Exit 77 (skipped) on a machine that has a GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "a GPU is visible: the no-GPU path cannot be checked here"
  exit 77
fi
begun=$SECONDS
message=$(OUT=$(mktemp -d) bash "$root/scripts/gpu-run.sh" 2>&1)
status=$?
echo "$message"
if ((status != 2)); then echo "expected exit status 2, got $status"; exit 1; fi
if ! grep -q 'no GPU' <<<"$message"; then echo "expected a 'no GPU' message"; exit 1; fi
if ((SECONDS - begun > 10)); then echo "took $((SECONDS - begun)) s, expected seconds"; exit 1; fi
