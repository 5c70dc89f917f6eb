#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {

void fast_flatten(const Tensor& x, Tensor& y, ThreadPool& pool) {
  detail::expect_fast_rank("fast_flatten", "input", x, 4);
  const std::int64_t c = x.dim(0), n = x.dim(1), hw = x.dim(2) * x.dim(3);
  detail::reshape_output(y, {c * hw, n});
  // Feature (ch, s) of image i sits at x[ch][i][s] and goes to y[ch*hw + s][i].
  pool.parallel_for(static_cast<std::size_t>(c), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (auto ch = static_cast<std::int64_t>(begin); ch < static_cast<std::int64_t>(end); ++ch)
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t s = 0; s < hw; ++s)
          y.data[static_cast<std::size_t>((ch * hw + s) * n + i)] =
              x.data[static_cast<std::size_t>((ch * n + i) * hw + s)];
  });
}

}  // namespace veil::nn
