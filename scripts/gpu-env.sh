# Sourced by the GPU machine's scripts (gpu-run.sh, gpu-full-image.sh), from the repository root:
# unpacks the bundle of scripts/gpu-bundle.sh into $work once, points the loader at CUDA's libraries
# and the carried Debian ones, and points at the binaries (which pick their CPU kernels at start).
# Sets: bundle, work, bin, weights, VEIL_SHARED_DATA, LD_LIBRARY_PATH. Returns 2 without a GPU or a bundle.
bundle=$PWD/.gpu
work=/tmp/veil-gpu
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "no GPU on this machine (nvidia-smi finds none): run it on the GPU machine" >&2
  return 2
fi
if [ ! -f "$work/bin/portable/veil_fhe_tests" ]; then
  if [ ! -f "$bundle/bin.tar.xz" ]; then
    echo "no bundle at $bundle: run scripts/gpu-bundle.sh on the build machine and carry .gpu" >&2
    return 2
  fi
  mkdir -p "$work/bin" "$work/lib"
  tar xJf "$bundle/lib.tar.xz" -C "$work/lib" && tar xJf "$bundle/bin.tar.xz" -C "$work/bin" ||
    { echo "cannot unpack $bundle" >&2; return 2; }
fi
cuda_libs=$(dirname "$(find /usr/local/cuda/lib64/ /usr/local/cuda/targets /usr/local /opt -name 'libcufft.so.12*' 2>/dev/null | head -1)")
export LD_LIBRARY_PATH="$cuda_libs:/usr/local/cuda/lib64:$work/lib:${LD_LIBRARY_PATH:-}"
bin=$work/bin/portable
export VEIL_SHARED_DATA=$bundle/data
weights=$bundle/weights/resnet18_synthetic_fp16.pth
