#pragma once
// The one place where a backend is chosen by kind: the CPU backend, or the CUDA backend when
// this build and machine have one (fhe/cuda_backend.hpp says why not otherwise).
#include <memory>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::fhe {

enum class BackendKind { cpu, cuda };

/// The CPU backend over `pool`, or the CUDA backend on `cuda_device` (`pool` unused). InvalidArgument
/// with make_cuda_backend's reason when CUDA is asked for and this build or machine has none.
std::unique_ptr<Backend> make_backend(BackendKind kind, ThreadPool& pool, int cuda_device = 0);

}  // namespace veil::fhe
