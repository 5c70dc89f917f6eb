#!/usr/bin/env bash
# Packs everything the GPU machine needs into .gpu/ (git-ignored): that machine has CUDA 13
# (nvcc, cuFFT, cudart) but none of veil's Debian libraries and no network, so nothing is built
# there. Run here, from anywhere in the repository (~9 min on 2 cores: two CUDA builds, sm_90
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
# x86-64-v4 runs the AVX-512 paths of the CPU side; the portable build is the fallback for a
# machine without AVX-512 (its CPU PBS is ~4x slower, which only the CPU comparisons feel).
cmake -S . -B build-gpu-v4 "${configure[@]}" -DCMAKE_CXX_FLAGS=-march=x86-64-v4 >/dev/null
cmake -S . -B build-gpu-portable "${configure[@]}" >/dev/null
cmake --build build-gpu-v4 -j "$(nproc)" "${targets[@]}"
cmake --build build-gpu-portable -j "$(nproc)" "${targets[@]}"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
for variant in v4 portable; do
  mkdir -p "$stage/bin/$variant"
  cp build-gpu-$variant/tests/veil_fhe_tests build-gpu-$variant/bench/veil_fhe_bench \
     build-gpu-$variant/apps/resnet18_fhe build-gpu-$variant/apps/veil_fhe "$stage/bin/$variant/"
done
# The Debian libraries the binaries link beyond glibc, libstdc++ and zlib; CUDA's own
# libraries (cuFFT alone is ~290 MB) are taken from the GPU machine.
mkdir -p "$stage/lib"
ldd build-gpu-v4/apps/resnet18_fhe build-gpu-v4/apps/veil_fhe build-gpu-v4/bench/veil_fhe_bench \
    build-gpu-v4/tests/veil_fhe_tests | awk '/=> \//{print $3}' | sort -u |
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
