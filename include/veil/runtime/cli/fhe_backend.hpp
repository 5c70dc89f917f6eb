#pragma once
// The one place where the command-line programs choose the backend that runs PBS and key
// switching: the CPU backend, or the CUDA backend for --use-gpu when this build has one.
#include <memory>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::runtime::cli {

/// The CPU backend over `pool`, or with use_gpu the CUDA backend on device 0; InvalidArgument
/// ("the CUDA backend is not available in this build or on this machine", with the reason)
/// otherwise.
std::unique_ptr<fhe::Backend> make_fhe_backend(bool use_gpu, ThreadPool& pool);

}  // namespace veil::runtime::cli
