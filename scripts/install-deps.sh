#!/usr/bin/env bash
# Installs everything veil needs to build, test and benchmark, from Debian's packages only.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libssl-dev            # CSPRNG (AES-CTR, RAND_bytes) for key and noise material
  libopenblas-dev       # fp32 GEMM
  libjpeg62-turbo-dev libpng-dev zlib1g-dev
  nlohmann-json3-dev    # statistics and client specs (JSON)
  libgtest-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin  # distributed execution (VEIL_MPI, docs/distributed.md)
  clang libclang-rt-dev       # the loader fuzzers (libFuzzer, docs/fuzzing.md)
  clang-format clang-tidy     # the layout check (.clang-format) and the static checks (.clang-tidy)
  python3 python3-numpy python3-torch python3-torchvision python3-venv  # reference outputs for tests
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all packages present"
