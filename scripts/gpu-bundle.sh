#!/usr/bin/env bash
# Packs everything the GPU machine needs into .gpu/ (git-ignored): that machine has CUDA 13
# (nvcc, cuFFT, cudart) but none of veil's Debian libraries and no network, so nothing is built
# there. Run here, from anywhere in the repository (~5 min on 2 cores: one CUDA build, sm_90
# code + compute_90 PTX; ccache is used when installed):
#   scripts/gpu-bundle.sh [SHARED_DATA_DIR]          (default ../shared/data)
# then on the GPU machine, from the repository root, in one device call carrying .gpu:
#   bash scripts/gpu-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(cd "${1:-../shared/data}" && pwd)
bundle=$PWD/.gpu
limit_mib=60

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
configure=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DVEIL_CUDA=ON -DVEIL_NATIVE=OFF -DVEIL_BUILD_BENCH=ON "${launcher[@]}")
targets=(--target veil_fhe_tests veil_fhe_bench resnet18_fhe veil_fhe_app)  # veil_fhe_app: the program veil_fhe
# One portable build: its CPU kernels are chosen at run time (AVX-512, AVX2 or scalar), so it runs
# the AVX-512 paths on the GPU machine's Xeon. (An -march=x86-64-v4 build cannot even be built
# on a build machine without AVX-512: the test discovery runs the test binary.)
cmake -S . -B build-gpu-portable "${configure[@]}" >/dev/null
cmake --build build-gpu-portable -j "$(nproc)" "${targets[@]}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin/portable"
cp build-gpu-portable/tests/veil_fhe_tests build-gpu-portable/bench/veil_fhe_bench \
   build-gpu-portable/apps/resnet18_fhe build-gpu-portable/apps/veil_fhe "$stage/bin/portable/"
# The Debian libraries the binaries link beyond glibc, libstdc++ and zlib; CUDA's own
# libraries (cuFFT alone is ~290 MB) are taken from the GPU machine.
mkdir -p "$stage/lib"
ldd build-gpu-portable/apps/resnet18_fhe build-gpu-portable/apps/veil_fhe \
    build-gpu-portable/bench/veil_fhe_bench build-gpu-portable/tests/veil_fhe_tests | awk '/=> \//{print $3}' | sort -u |
  grep -E 'openblas|gfortran|quadmath|jpeg|png16|benchmark|gtest|crypto' | xargs -r -I{} cp -L {} "$stage/lib/"

rm -rf "$bundle"
mkdir -p "$bundle/data" "$bundle/weights"
tar cJf "$bundle/bin.tar.xz" -C "$stage/bin" .
tar cJf "$bundle/lib.tar.xz" -C "$stage/lib" .
cp -r "$data/imagenet-val100" "$data/labels" "$bundle/data/"
# The synthetic checkpoint of the tests (Debian's torch), in half precision so that the bundle
# stays small; veil reads fp16 checkpoints.
/usr/bin/python3 tests/reference/make_nn_fixtures.py --out "$stage/fixtures" --weights-only >/dev/null
/usr/bin/python3 - "$stage/fixtures/nn/resnet18_synthetic.pth" "$bundle/weights/resnet18_synthetic_fp16.pth" <<'PY'
import sys, torch
state = torch.load(sys.argv[1])
torch.save({k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}, sys.argv[2])
PY
git rev-parse --short HEAD > "$bundle/commit.txt"
git diff --quiet HEAD || echo "(with uncommitted changes)" >> "$bundle/commit.txt"

size_mib=$(( $(du -sk "$bundle" | cut -f1) / 1024 ))
if (( size_mib >= limit_mib )); then
  echo "gpu-bundle: .gpu is ${size_mib} MiB, over the ${limit_mib} MiB a device call carries" >&2
  exit 1
fi
echo "gpu-bundle: .gpu ready (${size_mib} MiB, commit $(head -1 "$bundle/commit.txt")): run 'bash scripts/gpu-run.sh' on the GPU machine with .gpu carried"
