#include "veil/app/flags/backend_flag.hpp"

#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/make_backend.hpp"

namespace veil::app {

std::unique_ptr<fhe::Backend> make_backend_for_flags(bool use_gpu, ThreadPool& pool) {
  try {
    return fhe::make_backend(use_gpu ? fhe::BackendKind::cuda : fhe::BackendKind::cpu, pool);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("--use-gpu: the CUDA backend is not available in this build or on this ") +
                          "machine (" + e.what() + "); run without --use-gpu to use the CPU backend");
  }
}

}  // namespace veil::app
