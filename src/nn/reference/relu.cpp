#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void reference_relu(const Tensor& x, Tensor& y) {
  detail::resize(y, x.shape);
  for (std::size_t i = 0; i < x.data.size(); ++i) y.data[i] = x.data[i] > 0.0f ? x.data[i] : 0.0f;
}

}  // namespace veil::nn
