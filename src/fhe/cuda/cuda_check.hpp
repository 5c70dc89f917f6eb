#pragma once
// Every CUDA runtime and cuFFT call of the backend goes through check(): a failure becomes a
// veil::Error naming the call and CUDA's reason.
#include <cuda_runtime.h>
#include <cufft.h>

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe::cuda {

inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw Error(std::string("CUDA backend: ") + what + ": " + cudaGetErrorName(status) + " (" +
                cudaGetErrorString(status) + ")");
  }
}

inline void check(cufftResult status, const char* what) {
  if (status != CUFFT_SUCCESS) {
    throw Error(std::string("CUDA backend: ") + what + ": cuFFT error " + std::to_string(static_cast<int>(status)) +
                " (cufftResult in cufft.h)");
  }
}

}  // namespace veil::fhe::cuda
