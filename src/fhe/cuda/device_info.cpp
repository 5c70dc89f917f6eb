#include "fhe/cuda/device_info.hpp"

#include <cuda_runtime.h>

#include <string>

#include "fhe/cuda/cuda_check.hpp"
#include "veil/common/format_numbers.hpp"

namespace veil::fhe::cuda {

std::string describe_device(int device) {
  cudaDeviceProp properties{};
  check(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
  int current = 0;
  check(cudaGetDevice(&current), "cudaGetDevice");
  check(cudaSetDevice(device), "cudaSetDevice");
  std::size_t free = 0, total = 0;
  const cudaError_t queried = cudaMemGetInfo(&free, &total);
  cudaSetDevice(current);
  check(queried, "cudaMemGetInfo");
  return "device " + std::to_string(device) + ": " + properties.name + ", compute capability " +
         std::to_string(properties.major) + "." + std::to_string(properties.minor) + ", " +
         std::to_string(properties.multiProcessorCount) + " multiprocessors, " + format_bytes(total) + " (" +
         format_bytes(free) + " free)";
}

}  // namespace veil::fhe::cuda
