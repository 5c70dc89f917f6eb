// The CUDA backend's entry points in a build without CUDA (cmake/VeilCuda.cmake compiles this
// file instead of the rest of src/fhe/cuda/).
#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"

namespace veil::fhe {

bool cuda_backend_available() { return false; }

int cuda_device_count() { return 0; }

std::unique_ptr<Backend> make_cuda_backend(int /*device*/, std::size_t /*max_chunk*/) {
  throw InvalidArgument("veil was built without CUDA (configure with -DVEIL_CUDA=ON and a CUDA toolkit)");
}

}  // namespace veil::fhe
