#include <algorithm>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {
namespace {

constexpr std::size_t kGrain = 1 << 14;  // elements per task: enough work to amortize a hand-off

}  // namespace

void fast_relu(const Tensor& x, Tensor& y, ThreadPool& pool) {
  detail::reshape_output(y, x.shape);
  pool.parallel_for(x.data.size(), kGrain, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) y.data[i] = std::max(x.data[i], 0.0f);
  });
}

void fast_add(const Tensor& a, const Tensor& b, bool relu, Tensor& y, ThreadPool& pool) {
  detail::expect_fast_shape("fast_add", "second input", b, a.shape);
  detail::reshape_output(y, a.shape);
  pool.parallel_for(a.data.size(), kGrain, [&](std::size_t begin, std::size_t end, std::size_t) {
    const float* pa = a.data.data();
    const float* pb = b.data.data();
    float* py = y.data.data();
    if (relu) {
      for (std::size_t i = begin; i < end; ++i) py[i] = std::max(pa[i] + pb[i], 0.0f);
    } else {
      for (std::size_t i = begin; i < end; ++i) py[i] = pa[i] + pb[i];
    }
  });
}

}  // namespace veil::nn
