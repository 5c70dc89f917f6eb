#include <cmath>

#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void reference_batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                            const Tensor& var, float eps, Tensor& y) {
  detail::expect_rank("reference_batch_norm2d", "input", x, 4);
  const Shape c{x.dim(1)};
  detail::expect_shape("reference_batch_norm2d", "weight", gamma, c);
  detail::expect_shape("reference_batch_norm2d", "bias", beta, c);
  detail::expect_shape("reference_batch_norm2d", "running_mean", mean, c);
  detail::expect_shape("reference_batch_norm2d", "running_var", var, c);
  detail::resize(y, x.shape);
  const std::int64_t plane = x.dim(2) * x.dim(3);
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const auto ch = static_cast<std::size_t>((i / plane) % x.dim(1));
    const double v = (x.data[static_cast<std::size_t>(i)] - static_cast<double>(mean.data[ch])) /
                         std::sqrt(static_cast<double>(var.data[ch]) + eps) * gamma.data[ch] +
                     beta.data[ch];
    y.data[static_cast<std::size_t>(i)] = static_cast<float>(v);
  }
}

}  // namespace veil::nn
