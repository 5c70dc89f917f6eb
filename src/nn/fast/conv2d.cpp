#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "check.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {
namespace {

// Each task convolves a contiguous range of output columns (image, oy, ox) with its own
// im2col buffer and a single-threaded sgemm, so that our pool is the only source of
// parallelism (OpenBLAS's own threads would spin against it). Widths are capped so a
// task's buffer stays at most 2 Mi floats.
constexpr std::int64_t kMaxTaskFloats = std::int64_t{2} << 20;

struct ConvGeometry {
  std::int64_t c, n, h, w, o, k, ho, wo;
  std::int64_t rows() const { return c * k * k; }
  std::int64_t columns() const { return n * ho * wo; }
};

ConvGeometry geometry(const Shape& x, const Shape& weight, const Conv2dAttrs& a) {
  if (x.size() != 4 || weight.size() != 4 || weight[1] != x[0] || weight[2] != weight[3])
    throw InvalidArgument("fast_conv2d: input " + to_string(x) + " and weight " + to_string(weight) +
                          ", expected [C, N, H, W] and [O, C, k, k]");
  const std::int64_t k = weight[2];
  if (a.stride < 1 || a.padding < 0 || x[2] + 2 * a.padding < k || x[3] + 2 * a.padding < k)
    throw InvalidArgument("fast_conv2d: stride " + std::to_string(a.stride) + ", padding " + std::to_string(a.padding) +
                          " do not fit input " + to_string(x));
  return {x[0],
          x[1],
          x[2],
          x[3],
          weight[0],
          k,
          (x[2] + 2 * a.padding - k) / a.stride + 1,
          (x[3] + 2 * a.padding - k) / a.stride + 1};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool is_direct(const ConvGeometry& g, const Conv2dAttrs& a) { return g.k == 1 && a.stride == 1 && a.padding == 0; }

// Columns per task: an even share of the work per thread, bounded by the buffer cap.
std::int64_t task_width(const ConvGeometry& g, std::size_t threads) {
  const auto t = static_cast<std::int64_t>(std::max<std::size_t>(threads, 1));
  const std::int64_t share = (g.columns() + t - 1) / t;
  return std::clamp<std::int64_t>(std::min(share, kMaxTaskFloats / std::max<std::int64_t>(g.rows(), 1)), 1,
                                  std::max<std::int64_t>(g.columns(), 1));
}

// cols[r][j - c0] for row r = (ic, ky, kx) and output columns j in [c0, c1).
void im2col(const float* x, const ConvGeometry& g, const Conv2dAttrs& a, std::int64_t c0, std::int64_t c1,
            float* cols) {
  const std::int64_t plane_out = g.ho * g.wo, width = c1 - c0;
  for (std::int64_t r = 0; r < g.rows(); ++r) {
    const std::int64_t ic = r / (g.k * g.k), ky = (r / g.k) % g.k, kx = r % g.k;
    // ox range whose input column ix = ox*stride - padding + kx lies inside [0, w).
    const std::int64_t lo = std::clamp<std::int64_t>((a.padding - kx + a.stride - 1) / a.stride, 0, g.wo);
    const std::int64_t hi = std::clamp<std::int64_t>(floor_div(g.w - 1 + a.padding - kx, a.stride) + 1, lo, g.wo);
    float* out = cols + r * width;
    for (std::int64_t j = c0; j < c1;) {
      const std::int64_t image = j / plane_out, oy = (j % plane_out) / g.wo, ox0 = j % g.wo;
      const std::int64_t ox1 = std::min(g.wo, ox0 + (c1 - j));
      float* seg = out + (j - c0) - ox0;  // seg[ox] is column (image, oy, ox)
      const std::int64_t iy = oy * a.stride - a.padding + ky;
      if (iy < 0 || iy >= g.h) {
        std::fill(seg + ox0, seg + ox1, 0.0f);
      } else {
        const float* row = x + ((ic * g.n + image) * g.h + iy) * g.w - a.padding + kx;  // row[ox*stride] = input
        const std::int64_t in0 = std::max(ox0, lo), in1 = std::max(in0, std::min(ox1, hi));
        std::fill(seg + ox0, seg + in0, 0.0f);
        if (a.stride == 1) {
          std::memcpy(seg + in0, row + in0, static_cast<std::size_t>(in1 - in0) * sizeof(float));
        } else {
          for (std::int64_t ox = in0; ox < in1; ++ox) seg[ox] = row[ox * a.stride];
        }
        std::fill(seg + in1, seg + ox1, 0.0f);
      }
      j += ox1 - ox0;
    }
  }
}

void bias_relu(float* y, std::int64_t rows, std::int64_t ldc, std::int64_t width, const Tensor* bias, bool relu) {
  if (!bias && !relu) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float b = bias ? bias->data[static_cast<std::size_t>(r)] : 0.0f;
    float* row = y + r * ldc;
    if (relu) {
      for (std::int64_t j = 0; j < width; ++j) row[j] = std::max(row[j] + b, 0.0f);
    } else {
      for (std::int64_t j = 0; j < width; ++j) row[j] += b;
    }
  }
}

}  // namespace

std::size_t fast_conv2d_scratch_size(const Shape& x, const Shape& weight, const Conv2dAttrs& attrs,
                                     std::size_t threads) {
  const ConvGeometry g = geometry(x, weight, attrs);
  if (is_direct(g, attrs)) return 0;
  return std::max<std::size_t>(threads, 1) * static_cast<std::size_t>(g.rows() * task_width(g, threads));
}

void fast_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dAttrs& attrs, bool relu,
                 Tensor& y, std::vector<float>& scratch, ThreadPool& pool) {
  const ConvGeometry g = geometry(x.shape, weight.shape, attrs);
  if (bias) detail::expect_fast_shape("fast_conv2d", "bias", *bias, {g.o});
  const std::size_t need = fast_conv2d_scratch_size(x.shape, weight.shape, attrs, pool.size());
  if (scratch.size() < need)
    throw InvalidArgument("fast_conv2d: scratch of " + std::to_string(scratch.size()) + " floats, expected " +
                          std::to_string(need));
  detail::reshape_output(y, {g.o, g.n, g.ho, g.wo});
  const std::int64_t ldc = g.columns(), width = task_width(g, pool.size());
  const bool direct = is_direct(g, attrs);
  const auto tasks = static_cast<std::size_t>((ldc + width - 1) / width);
  pool.parallel_for(tasks, 1, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    for (std::size_t t = begin; t < end; ++t) {
      const std::int64_t c0 = static_cast<std::int64_t>(t) * width, c1 = std::min(ldc, c0 + width);
      const float* b = x.data.data() + c0;  // direct: the input itself is the [C, columns] matrix
      std::int64_t ldb = ldc;
      if (!direct) {
        float* cols = scratch.data() + worker * static_cast<std::size_t>(g.rows() * width);
        im2col(x.data.data(), g, attrs, c0, c1, cols);
        b = cols;
        ldb = c1 - c0;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.o), static_cast<int>(c1 - c0),
                  static_cast<int>(g.rows()), 1.0f, weight.data.data(), static_cast<int>(g.rows()), b,
                  static_cast<int>(ldb), 0.0f, y.data.data() + c0, static_cast<int>(ldc));
      bias_relu(y.data.data() + c0, g.o, ldc, c1 - c0, bias, relu);
    }
  });
}

}  // namespace veil::nn
