#include <cstring>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {

void swap_leading_axes(const Tensor& x, Tensor& y, ThreadPool& pool) {
  if (x.shape.size() < 2)
    throw InvalidArgument("swap_leading_axes: shape " + to_string(x.shape) + ", expected rank >= 2");
  const std::int64_t a = x.dim(0), b = x.dim(1);
  const std::size_t inner = static_cast<std::size_t>((a * b != 0) ? x.size() / (a * b) : 0);
  Shape shape = x.shape;
  std::swap(shape[0], shape[1]);
  detail::reshape_output(y, std::move(shape));
  pool.parallel_for(static_cast<std::size_t>(b), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t j = begin; j < end; ++j)
      for (std::size_t i = 0; i < static_cast<std::size_t>(a); ++i)
        std::memcpy(y.data.data() + (j * static_cast<std::size_t>(a) + i) * inner,
                    x.data.data() + (i * static_cast<std::size_t>(b) + j) * inner, inner * sizeof(float));
  });
}

}  // namespace veil::nn
