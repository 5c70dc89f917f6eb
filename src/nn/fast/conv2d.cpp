#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {
namespace {

// Bounds the im2col buffer (32 MiB); larger batches are convolved in chunks of images.
constexpr std::size_t kMaxColumnFloats = std::size_t{8} << 20;

struct ConvGeometry {
  std::int64_t c, n, h, w, o, k, ho, wo;
  std::int64_t rows() const { return c * k * k; }
  std::int64_t cols_per_image() const { return ho * wo; }
};

ConvGeometry geometry(const Shape& x, const Shape& weight, const Conv2dAttrs& a) {
  if (x.size() != 4 || weight.size() != 4 || weight[1] != x[0] || weight[2] != weight[3])
    throw InvalidArgument("fast_conv2d: input " + to_string(x) + " and weight " + to_string(weight) +
                          ", expected [C, N, H, W] and [O, C, k, k]");
  const std::int64_t k = weight[2];
  if (a.stride < 1 || a.padding < 0 || x[2] + 2 * a.padding < k || x[3] + 2 * a.padding < k)
    throw InvalidArgument("fast_conv2d: stride " + std::to_string(a.stride) + ", padding " +
                          std::to_string(a.padding) + " do not fit input " + to_string(x));
  return {x[0], x[1], x[2], x[3], weight[0], k, (x[2] + 2 * a.padding - k) / a.stride + 1,
          (x[3] + 2 * a.padding - k) / a.stride + 1};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool is_direct(const ConvGeometry& g, const Conv2dAttrs& a) { return g.k == 1 && a.stride == 1 && a.padding == 0; }

std::int64_t chunk_images(const ConvGeometry& g) {
  const auto per_image = static_cast<std::size_t>(g.rows() * g.cols_per_image());
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(kMaxColumnFloats / std::max<std::size_t>(per_image, 1)),
                                  1, g.n);
}

// cols[r][(i - first) * ho*wo + oy*wo + ox] for row r = (ic, ky, kx) and images [first, first+count).
void im2col(const float* x, const ConvGeometry& g, const Conv2dAttrs& a, std::int64_t first, std::int64_t count,
            float* cols, ThreadPool& pool) {
  const std::int64_t cols_total = count * g.cols_per_image();
  pool.parallel_for(static_cast<std::size_t>(g.rows()), 4, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (auto r = static_cast<std::int64_t>(begin); r < static_cast<std::int64_t>(end); ++r) {
      const std::int64_t ic = r / (g.k * g.k), ky = (r / g.k) % g.k, kx = r % g.k;
      float* out = cols + r * cols_total;
      for (std::int64_t i = 0; i < count; ++i) {
        const float* plane = x + (ic * g.n + first + i) * g.h * g.w;
        for (std::int64_t oy = 0; oy < g.ho; ++oy, out += g.wo) {
          const std::int64_t iy = oy * a.stride - a.padding + ky;
          if (iy < 0 || iy >= g.h) {
            std::fill(out, out + g.wo, 0.0f);
            continue;
          }
          const float* row = plane + iy * g.w;
          // ox range whose input column ix = ox*stride - padding + kx lies inside [0, w).
          const std::int64_t lo = std::clamp<std::int64_t>((a.padding - kx + a.stride - 1) / a.stride, 0, g.wo);
          const std::int64_t hi = std::clamp<std::int64_t>(floor_div(g.w - 1 + a.padding - kx, a.stride) + 1, lo, g.wo);
          std::fill(out, out + lo, 0.0f);
          const float* src = row + lo * a.stride - a.padding + kx;
          if (a.stride == 1) {
            std::memcpy(out + lo, src, static_cast<std::size_t>(hi - lo) * sizeof(float));
          } else {
            for (std::int64_t ox = lo; ox < hi; ++ox, src += a.stride) out[ox] = *src;
          }
          std::fill(out + hi, out + g.wo, 0.0f);
        }
      }
    }
  });
}

void bias_relu_inplace(float* y, std::int64_t rows, std::int64_t cols, const Tensor* bias, bool relu,
                       ThreadPool& pool) {
  if (!bias && !relu) return;
  pool.parallel_for(static_cast<std::size_t>(rows), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t r = begin; r < end; ++r) {
      const float b = bias ? bias->data[r] : 0.0f;
      float* row = y + static_cast<std::int64_t>(r) * cols;
      if (relu) {
        for (std::int64_t j = 0; j < cols; ++j) row[j] = std::max(row[j] + b, 0.0f);
      } else {
        for (std::int64_t j = 0; j < cols; ++j) row[j] += b;
      }
    }
  });
}

}  // namespace

std::size_t fast_conv2d_scratch_size(const Shape& x, const Shape& weight, const Conv2dAttrs& attrs) {
  const ConvGeometry g = geometry(x, weight, attrs);
  if (is_direct(g, attrs)) return 0;
  return static_cast<std::size_t>(g.rows() * chunk_images(g) * g.cols_per_image());
}

void fast_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dAttrs& attrs, bool relu,
                 Tensor& y, std::vector<float>& scratch, ThreadPool& pool) {
  const ConvGeometry g = geometry(x.shape, weight.shape, attrs);
  if (bias) detail::expect_fast_shape("fast_conv2d", "bias", *bias, {g.o});
  detail::reshape_output(y, {g.o, g.n, g.ho, g.wo});
  const std::int64_t ldc = g.n * g.cols_per_image();
  if (is_direct(g, attrs)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.o), static_cast<int>(ldc),
                static_cast<int>(g.c), 1.0f, weight.data.data(), static_cast<int>(g.c), x.data.data(),
                static_cast<int>(ldc), 0.0f, y.data.data(), static_cast<int>(ldc));
  } else {
    const std::int64_t chunk = chunk_images(g);
    if (scratch.size() < fast_conv2d_scratch_size(x.shape, weight.shape, attrs))
      throw InvalidArgument("fast_conv2d: scratch of " + std::to_string(scratch.size()) + " floats, expected " +
                            std::to_string(fast_conv2d_scratch_size(x.shape, weight.shape, attrs)));
    for (std::int64_t first = 0; first < g.n; first += chunk) {
      const std::int64_t count = std::min(chunk, g.n - first);
      const std::int64_t cols = count * g.cols_per_image();
      im2col(x.data.data(), g, attrs, first, count, scratch.data(), pool);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.o), static_cast<int>(cols),
                  static_cast<int>(g.rows()), 1.0f, weight.data.data(), static_cast<int>(g.rows()), scratch.data(),
                  static_cast<int>(cols), 0.0f, y.data.data() + first * g.cols_per_image(), static_cast<int>(ldc));
    }
  }
  bias_relu_inplace(y.data.data(), g.o, ldc, bias, relu, pool);
}

}  // namespace veil::nn
