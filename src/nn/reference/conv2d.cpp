#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void reference_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dAttrs& a, Tensor& y) {
  detail::expect_rank("reference_conv2d", "input", x, 4);
  detail::expect_rank("reference_conv2d", "weight", weight, 4);
  const std::int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const std::int64_t o = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
  detail::expect_shape("reference_conv2d", "weight", weight, {o, c, kh, kw});
  if (bias) detail::expect_shape("reference_conv2d", "bias", *bias, {o});
  const std::int64_t ho = (h + 2 * a.padding - kh) / a.stride + 1;
  const std::int64_t wo = (w + 2 * a.padding - kw) / a.stride + 1;
  detail::resize(y, {n, o, ho, wo});
  for (std::int64_t b = 0; b < n; ++b)
    for (std::int64_t oc = 0; oc < o; ++oc)
      for (std::int64_t oy = 0; oy < ho; ++oy)
        for (std::int64_t ox = 0; ox < wo; ++ox) {
          double sum = bias ? bias->data[static_cast<std::size_t>(oc)] : 0.0;
          for (std::int64_t ic = 0; ic < c; ++ic)
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              const std::int64_t iy = oy * a.stride - a.padding + ky;
              if (iy < 0 || iy >= h) continue;
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t ix = ox * a.stride - a.padding + kx;
                if (ix < 0 || ix >= w) continue;
                sum += static_cast<double>(x.data[static_cast<std::size_t>(((b * c + ic) * h + iy) * w + ix)]) *
                       weight.data[static_cast<std::size_t>(((oc * c + ic) * kh + ky) * kw + kx)];
              }
            }
          y.data[static_cast<std::size_t>(((b * o + oc) * ho + oy) * wo + ox)] = static_cast<float>(sum);
        }
}

}  // namespace veil::nn
