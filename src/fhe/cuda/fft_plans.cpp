#include "fhe/cuda/fft_plans.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "fhe/cuda/cuda_check.hpp"

namespace veil::fhe::cuda {

FftPlans::~FftPlans() {
  for (const Plan& plan : plans_) cufftDestroy(plan.handle);
}

cufftHandle FftPlans::get(std::size_t points, std::size_t batch) {
  const auto found =
      std::find_if(plans_.begin(), plans_.end(), [&](const Plan& p) { return p.points == points && p.batch == batch; });
  if (found != plans_.end()) {
    std::rotate(found, found + 1, plans_.end());  // now the most recently used
    return plans_.back().handle;
  }
  if (points > INT_MAX || batch > INT_MAX) {
    throw Error("CUDA backend: a batch of " + std::to_string(batch) + " FFTs of " + std::to_string(points) +
                " points is too large for cufftPlanMany");
  }
  if (plans_.size() >= kCapacity) {
    cufftDestroy(plans_.front().handle);
    plans_.erase(plans_.begin());
  }
  int size[1] = {static_cast<int>(points)};
  cufftHandle handle = 0;
  check(cufftPlanMany(&handle, 1, size, nullptr, 1, size[0], nullptr, 1, size[0], CUFFT_Z2Z, static_cast<int>(batch)),
        "cufftPlanMany");
  const cufftResult bound = cufftSetStream(handle, stream_);
  if (bound != CUFFT_SUCCESS) cufftDestroy(handle);
  check(bound, "cufftSetStream");
  plans_.push_back(Plan{points, batch, handle});
  return handle;
}

}  // namespace veil::fhe::cuda
