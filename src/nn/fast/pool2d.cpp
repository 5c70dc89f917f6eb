#include <algorithm>
#include <limits>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {
namespace {

// Pools each of the C*N planes of [C, N, H, W]; window bounds are clamped once per output.
template <bool kMax>
void pool_planes(const char* op, const Tensor& x, const Pool2dAttrs& a, Tensor& y, ThreadPool& pool) {
  detail::expect_fast_rank(op, "input", x, 4);
  const std::int64_t h = x.dim(2), w = x.dim(3);
  if (a.kernel < 1 || a.stride < 1 || a.padding < 0 || h + 2 * a.padding < a.kernel || w + 2 * a.padding < a.kernel)
    throw InvalidArgument(std::string(op) + ": kernel " + std::to_string(a.kernel) + ", stride " +
                          std::to_string(a.stride) + ", padding " + std::to_string(a.padding) + " do not fit input " +
                          to_string(x.shape));
  const std::int64_t ho = (h + 2 * a.padding - a.kernel) / a.stride + 1;
  const std::int64_t wo = (w + 2 * a.padding - a.kernel) / a.stride + 1;
  detail::reshape_output(y, {x.dim(0), x.dim(1), ho, wo});
  const float inv_area = 1.0f / static_cast<float>(a.kernel * a.kernel);
  pool.parallel_for(static_cast<std::size_t>(x.dim(0) * x.dim(1)), 4,
                    [&](std::size_t begin, std::size_t end, std::size_t) {
                      for (auto p = static_cast<std::int64_t>(begin); p < static_cast<std::int64_t>(end); ++p) {
                        const float* in = x.data.data() + p * h * w;
                        float* out = y.data.data() + p * ho * wo;
                        for (std::int64_t oy = 0; oy < ho; ++oy) {
                          const std::int64_t y0 = std::max<std::int64_t>(oy * a.stride - a.padding, 0);
                          const std::int64_t y1 = std::min(oy * a.stride - a.padding + a.kernel, h);
                          for (std::int64_t ox = 0; ox < wo; ++ox) {
                            const std::int64_t x0 = std::max<std::int64_t>(ox * a.stride - a.padding, 0);
                            const std::int64_t x1 = std::min(ox * a.stride - a.padding + a.kernel, w);
                            float acc = kMax ? -std::numeric_limits<float>::infinity() : 0.0f;
                            for (std::int64_t iy = y0; iy < y1; ++iy)
                              for (std::int64_t ix = x0; ix < x1; ++ix)
                                acc = kMax ? std::max(acc, in[iy * w + ix]) : acc + in[iy * w + ix];
                            out[oy * wo + ox] = kMax ? acc : acc * inv_area;
                          }
                        }
                      }
                    });
}

}  // namespace

void fast_max_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y, ThreadPool& pool) {
  pool_planes<true>("fast_max_pool2d", x, attrs, y, pool);
}

void fast_avg_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y, ThreadPool& pool) {
  pool_planes<false>("fast_avg_pool2d", x, attrs, y, pool);
}

}  // namespace veil::nn
