#include "veil/app/flags/backend_flag.hpp"

#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"
#include "veil/fhe/make_backend.hpp"

namespace veil::app {

int gpu_for_local_rank(int local_rank, int gpus) { return gpus > 0 ? local_rank % gpus : 0; }

std::unique_ptr<fhe::Backend> make_backend_for_flags(bool use_gpu, ThreadPool& pool, int local_rank) {
  try {
    if (!use_gpu) return fhe::make_backend(fhe::BackendKind::cpu, pool);
    return fhe::make_backend(fhe::BackendKind::cuda, pool, gpu_for_local_rank(local_rank, fhe::cuda_device_count()));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("--use-gpu: the CUDA backend is not available in this build or on this ") +
                          "machine (" + e.what() + "); run without --use-gpu to use the CPU backend");
  }
}

}  // namespace veil::app
