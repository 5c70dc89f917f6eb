#include "veil/fhe/make_backend.hpp"

#include "veil/fhe/cuda_backend.hpp"

namespace veil::fhe {

std::unique_ptr<Backend> make_backend(BackendKind kind, ThreadPool& pool) {
  if (kind == BackendKind::cuda) return make_cuda_backend();
  return make_cpu_backend(pool);
}

}  // namespace veil::fhe
