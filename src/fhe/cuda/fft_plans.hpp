#pragma once
// cuFFT plans for batches of complex-to-complex transforms of N/2 points, made on first use
// and kept for the next calls (making one costs about a millisecond and a work area).
#include <cufft.h>

#include <cstddef>
#include <vector>

namespace veil::fhe::cuda {

class FftPlans {
 public:
  explicit FftPlans(cudaStream_t stream) : stream_(stream) {}
  FftPlans(const FftPlans&) = delete;
  FftPlans& operator=(const FftPlans&) = delete;
  ~FftPlans();

  /// A plan for `batch` contiguous in-place transforms of `points` complex doubles, run on the
  /// stream. The handle stays valid until kCapacity other shapes have been asked for since.
  cufftHandle get(std::size_t points, std::size_t batch);

 private:
  struct Plan {
    std::size_t points;
    std::size_t batch;
    cufftHandle handle;
  };
  static constexpr std::size_t kCapacity = 8;
  cudaStream_t stream_;
  std::vector<Plan> plans_;  // least recently used first
};

}  // namespace veil::fhe::cuda
