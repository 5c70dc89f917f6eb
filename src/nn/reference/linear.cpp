#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void reference_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y) {
  detail::expect_rank("reference_linear", "input", x, 2);
  detail::expect_rank("reference_linear", "weight", weight, 2);
  const std::int64_t n = x.dim(0), f = x.dim(1), o = weight.dim(0);
  detail::expect_shape("reference_linear", "weight", weight, {o, f});
  detail::expect_shape("reference_linear", "bias", bias, {o});
  detail::resize(y, {n, o});
  for (std::int64_t b = 0; b < n; ++b)
    for (std::int64_t j = 0; j < o; ++j) {
      double sum = bias.data[static_cast<std::size_t>(j)];
      for (std::int64_t i = 0; i < f; ++i)
        sum += static_cast<double>(weight.data[static_cast<std::size_t>(j * f + i)]) *
               x.data[static_cast<std::size_t>(b * f + i)];
      y.data[static_cast<std::size_t>(b * o + j)] = static_cast<float>(sum);
    }
}

}  // namespace veil::nn
