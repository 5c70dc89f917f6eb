#include <cblas.h>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {

void fast_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y, ThreadPool& pool) {
  detail::expect_fast_rank("fast_linear", "input", x, 2);
  detail::expect_fast_rank("fast_linear", "weight", weight, 2);
  const std::int64_t f = x.dim(0), n = x.dim(1), o = weight.dim(0);
  detail::expect_fast_shape("fast_linear", "weight", weight, {o, f});
  detail::expect_fast_shape("fast_linear", "bias", bias, {o});
  detail::reshape_output(y, {o, n});
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(o), static_cast<int>(n), static_cast<int>(f),
              1.0f, weight.data.data(), static_cast<int>(f), x.data.data(), static_cast<int>(n), 0.0f, y.data.data(),
              static_cast<int>(n));
  pool.parallel_for(static_cast<std::size_t>(o), 64, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t j = begin; j < end; ++j)
      for (std::int64_t i = 0; i < n; ++i)
        y.data[j * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)] += bias.data[j];
  });
}

}  // namespace veil::nn
