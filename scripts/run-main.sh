#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs resnet18_fhe on the default input
# (the 100 ImageNet validation images in ../shared/data). Without the official torchvision
# weights it makes a seeded synthetic checkpoint first and says so in every report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
weights_args=()
official="${TORCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/torch}/hub/checkpoints/resnet18-f37072fd.pth"
if [ ! -f "$official" ] && [ -z "${VEIL_WEIGHTS:-}" ]; then
  synthetic=artifacts/nn/resnet18_synthetic.pth
  if [ ! -f "$synthetic" ]; then
    echo "Official weights not found at $official: making a synthetic test checkpoint ($synthetic)."
    /usr/bin/python3 tests/reference/make_nn_fixtures.py --out artifacts --data ../shared/data --weights-only
  fi
  weights_args=(--weights "$synthetic")
elif [ -n "${VEIL_WEIGHTS:-}" ]; then
  weights_args=(--weights "$VEIL_WEIGHTS")
fi
exec build/apps/resnet18_fhe "${weights_args[@]}" "$@"
