#include <cmath>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {

void fast_batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean, const Tensor& var,
                       float eps, Tensor& y, ThreadPool& pool) {
  detail::expect_fast_rank("fast_batch_norm2d", "input", x, 4);
  const Shape c{x.dim(0)};
  detail::expect_fast_shape("fast_batch_norm2d", "weight", gamma, c);
  detail::expect_fast_shape("fast_batch_norm2d", "bias", beta, c);
  detail::expect_fast_shape("fast_batch_norm2d", "running_mean", mean, c);
  detail::expect_fast_shape("fast_batch_norm2d", "running_var", var, c);
  detail::reshape_output(y, x.shape);
  const std::int64_t plane = x.dim(1) * x.dim(2) * x.dim(3);
  pool.parallel_for(static_cast<std::size_t>(x.dim(0)), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t ch = begin; ch < end; ++ch) {
      const float scale = gamma.data[ch] / std::sqrt(var.data[ch] + eps);
      const float shift = beta.data[ch] - mean.data[ch] * scale;
      const float* in = x.data.data() + static_cast<std::int64_t>(ch) * plane;
      float* out = y.data.data() + static_cast<std::int64_t>(ch) * plane;
      for (std::int64_t i = 0; i < plane; ++i) out[i] = in[i] * scale + shift;
    }
  });
}

}  // namespace veil::nn
