#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void reference_flatten(const Tensor& x, Tensor& y) {
  if (x.shape.empty()) throw InvalidArgument("reference_flatten: input is a scalar, expected a batch");
  const std::int64_t n = x.dim(0);
  detail::resize(y, {n, n ? x.size() / n : 0});
  y.data = x.data;
}

}  // namespace veil::nn
