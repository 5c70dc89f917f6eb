#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs resnet18_fhe on the default input (the
# 100 ImageNet validation images in ../shared/data): fp32, the quantized model in both modes in
# the clear and in FHE simulation, then one image in real FHE on its 16x16 centre crop (ResNet-18
# built for 16x16 inputs, quantized on the calibration images' crops), after printing the
# estimated time of a full 224x224 image on this machine. 16, not 32: on 2 AVX-512 cores the 32x32
# crop takes ~10 min in FHE (57,856 PBS), the 16x16 one ~3 min (15,616 PBS). Extra arguments go to
# resnet18_fhe (later flags win, e.g. --fhe-crop 32, or --fhe-crop 0 for the full image: a day).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
source scripts/resnet18-weights.sh
exec build/apps/resnet18_fhe "${weights_args[@]}" --run-fhe --fhe-crop 16 --fhe-images 1 "$@"
