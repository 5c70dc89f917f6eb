#include "veil/fhe/make_backend.hpp"

#include "veil/fhe/cuda_backend.hpp"

namespace veil::fhe {

std::unique_ptr<Backend> make_backend(BackendKind kind, ThreadPool& pool, int cuda_device) {
  if (kind == BackendKind::cuda) return make_cuda_backend(cuda_device);
  return make_cpu_backend(pool);
}

}  // namespace veil::fhe
