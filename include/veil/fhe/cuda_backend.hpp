#pragma once
// The CUDA backend: the same batch operations as the CPU backend, run on an NVIDIA GPU
// (docs/cuda_backend.md). Every build has these two functions; a build without CUDA
// (VEIL_CUDA=OFF, or AUTO without a toolkit) reports no backend and throws on creation, so
// callers need no conditional compilation.
#include <cstddef>
#include <memory>

#include "veil/fhe/backend.hpp"

namespace veil::fhe {

/// True when veil was built with CUDA and `make_cuda_backend(0)` would succeed: a device is
/// visible and can run veil's kernels. Never throws.
bool cuda_backend_available();

/// CUDA devices this process sees (0 without CUDA in the build or a driver). Never throws.
int cuda_device_count();

/// The backend on CUDA device `device`. Keys are uploaded on first use and stay on the device
/// (cached by key address, shape and content fingerprint); batches run in chunks sized to the
/// free device memory, at most `max_chunk` ciphertexts each when max_chunk > 0 (tests use it to
/// cross chunk boundaries). Results decrypt to the same values as the CPU backend's; the
/// ciphertexts differ by FFT rounding. Throws InvalidArgument "veil was built without CUDA" or
/// "no CUDA device visible: <reason>" (or naming a device that cannot run the kernels).
std::unique_ptr<Backend> make_cuda_backend(int device = 0, std::size_t max_chunk = 0);

}  // namespace veil::fhe
