#include "veil/runtime/cli/fhe_backend.hpp"

#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"

namespace veil::runtime::cli {

std::unique_ptr<fhe::Backend> make_fhe_backend(bool use_gpu, ThreadPool& pool) {
  if (!use_gpu) return fhe::make_cpu_backend(pool);
  try {
    return fhe::make_cuda_backend();
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("--use-gpu: the CUDA backend is not available in this build or on this ") +
                          "machine (" + e.what() + "); run without --use-gpu to use the CPU backend");
  }
}

}  // namespace veil::runtime::cli
