#include <algorithm>
#include <limits>

#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {
namespace {

// Pools every window; `max` selects max pooling (pad = -inf) or average (pad = 0, counted).
void pool(const char* op, const Tensor& x, const Pool2dAttrs& a, bool max, Tensor& y) {
  detail::expect_rank(op, "input", x, 4);
  const std::int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const std::int64_t ho = (h + 2 * a.padding - a.kernel) / a.stride + 1;
  const std::int64_t wo = (w + 2 * a.padding - a.kernel) / a.stride + 1;
  detail::resize(y, {n, c, ho, wo});
  for (std::int64_t p = 0; p < n * c; ++p)
    for (std::int64_t oy = 0; oy < ho; ++oy)
      for (std::int64_t ox = 0; ox < wo; ++ox) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t ky = 0; ky < a.kernel; ++ky)
          for (std::int64_t kx = 0; kx < a.kernel; ++kx) {
            const std::int64_t iy = oy * a.stride - a.padding + ky, ix = ox * a.stride - a.padding + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const double v = x.data[static_cast<std::size_t>((p * h + iy) * w + ix)];
            acc = max ? std::max(acc, v) : acc + v;
          }
        if (!max) acc /= static_cast<double>(a.kernel * a.kernel);
        y.data[static_cast<std::size_t>((p * ho + oy) * wo + ox)] = static_cast<float>(acc);
      }
}

}  // namespace

void reference_max_pool2d(const Tensor& x, const Pool2dAttrs& a, Tensor& y) {
  pool("reference_max_pool2d", x, a, true, y);
}

void reference_avg_pool2d(const Tensor& x, const Pool2dAttrs& a, Tensor& y) {
  pool("reference_avg_pool2d", x, a, false, y);
}

}  // namespace veil::nn
