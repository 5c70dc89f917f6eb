#pragma once
// --use-gpu: the programs' backend choice, with an error that names the flag.
#include <memory>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::app {

/// fhe::make_backend(cuda with use_gpu, else cpu); InvalidArgument "--use-gpu: the CUDA backend
/// is not available in this build or on this machine (reason); run without --use-gpu ...".
std::unique_ptr<fhe::Backend> make_backend_for_flags(bool use_gpu, ThreadPool& pool);

}  // namespace veil::app
