# Sourced by run-main.sh and bench-resnet18-fhe.sh: sets weights_args for resnet18_fhe.
# $VEIL_WEIGHTS if set; else nothing when the official torchvision checkpoint is in the torch
# hub cache (resnet18_fhe finds it); else a seeded synthetic checkpoint, made once with
# Debian's python3-torch (every report then says its accuracy is not ImageNet accuracy):
# VEIL_SYNTHETIC=varied picks the one whose fp32 top-1 varies from image to image
# (tests/reference/make_nn_fixtures.py --varied), on which top-1 agreement means something.
weights_args=()
official="${TORCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/torch}/hub/checkpoints/resnet18-f37072fd.pth"
if [ -n "${VEIL_WEIGHTS:-}" ]; then
  weights_args=(--weights "$VEIL_WEIGHTS")
elif [ ! -f "$official" ]; then
  case "${VEIL_SYNTHETIC:-plain}" in
    plain) synthetic=artifacts/nn/resnet18_synthetic.pth ;;
    varied) synthetic=artifacts/nn/resnet18_varied.pth ;;
    *) echo "VEIL_SYNTHETIC=$VEIL_SYNTHETIC: expected plain or varied" >&2; exit 2 ;;
  esac
  if [ ! -f "$synthetic" ]; then
    echo "Official weights not found at $official: making a synthetic test checkpoint ($synthetic)."
    /usr/bin/python3 tests/reference/make_nn_fixtures.py --out artifacts --data ../shared/data --weights-only --varied
  fi
  weights_args=(--weights "$synthetic")
fi
