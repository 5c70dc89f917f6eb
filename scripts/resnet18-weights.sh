# Sourced by run-main.sh and bench-resnet18-fhe.sh: sets weights_args for resnet18_fhe.
# $VEIL_WEIGHTS if set; else nothing when the official torchvision checkpoint is in the torch
# hub cache (resnet18_fhe finds it); else a seeded synthetic checkpoint, made once with
# Debian's python3-torch (every report then says its accuracy is not ImageNet accuracy).
weights_args=()
official="${TORCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/torch}/hub/checkpoints/resnet18-f37072fd.pth"
if [ -n "${VEIL_WEIGHTS:-}" ]; then
  weights_args=(--weights "$VEIL_WEIGHTS")
elif [ ! -f "$official" ]; then
  synthetic=artifacts/nn/resnet18_synthetic.pth
  if [ ! -f "$synthetic" ]; then
    echo "Official weights not found at $official: making a synthetic test checkpoint ($synthetic)."
    /usr/bin/python3 tests/reference/make_nn_fixtures.py --out artifacts --data ../shared/data --weights-only
  fi
  weights_args=(--weights "$synthetic")
fi
