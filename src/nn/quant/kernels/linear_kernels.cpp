#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "nn/quant/kernels/int_kernels.hpp"

namespace veil::nn::quant {

std::vector<double> make_double_weights(const std::vector<std::int64_t>& weight) {
  return std::vector<double>(weight.begin(), weight.end());
}

void int_conv2d(const IntConv2dAttrs& a, const std::vector<double>& weight_d, const IntTensor& x,
                const Shape& out_shape, IntTensor& y, std::vector<double>& scratch) {
  const std::int64_t o_ch = a.weight_shape[0], c_in = a.weight_shape[1], k = a.weight_shape[2];
  const std::int64_t h = x.shape[1], w = x.shape[2], ho = out_shape[1], wo = out_shape[2];
  const std::int64_t kk = c_in * k * k, cols = ho * wo;
  scratch.resize(static_cast<std::size_t>(kk * cols + o_ch * cols));
  double* col = scratch.data();
  double* out = col + kk * cols;
  // im2col: row (c, u, v), column (i, j); outside positions read pad_value.
  const auto pad = static_cast<double>(a.pad_value);
  for (std::int64_t c = 0; c < c_in; ++c) {
    for (std::int64_t u = 0; u < k; ++u) {
      for (std::int64_t v = 0; v < k; ++v) {
        double* row = col + ((c * k + u) * k + v) * cols;
        for (std::int64_t i = 0; i < ho; ++i) {
          const std::int64_t r = i * a.stride - a.padding + u;
          for (std::int64_t j = 0; j < wo; ++j) {
            const std::int64_t s = j * a.stride - a.padding + v;
            row[i * wo + j] = (r < 0 || r >= h || s < 0 || s >= w)
                                  ? pad
                                  : static_cast<double>(x.data[static_cast<std::size_t>((c * h + r) * w + s)]);
          }
        }
      }
    }
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(o_ch), static_cast<int>(cols),
              static_cast<int>(kk), 1.0, weight_d.data(), static_cast<int>(kk), col, static_cast<int>(cols), 0.0, out,
              static_cast<int>(cols));
  y.shape = out_shape;
  y.data.resize(static_cast<std::size_t>(o_ch * cols));
  for (std::int64_t o = 0; o < o_ch; ++o) {
    const std::int64_t b = a.bias[static_cast<std::size_t>(o)];
    for (std::int64_t i = 0; i < cols; ++i) {
      const auto idx = static_cast<std::size_t>(o * cols + i);
      y.data[idx] = static_cast<std::int64_t>(out[idx]) + b;  // exact: |acc| < 2^53 (check_exact_accumulation)
    }
  }
}

void int_linear(const IntLinearAttrs& a, const std::vector<double>& weight_d, const IntTensor& x, IntTensor& y,
                std::vector<double>& scratch) {
  const std::int64_t o_ch = a.weight_shape[0], f = a.weight_shape[1];
  scratch.assign(x.data.begin(), x.data.end());
  scratch.resize(static_cast<std::size_t>(f + o_ch));
  cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(o_ch), static_cast<int>(f), 1.0, weight_d.data(),
              static_cast<int>(f), scratch.data(), 1, 0.0, scratch.data() + f, 1);
  y.shape = Shape{o_ch};
  y.data.resize(static_cast<std::size_t>(o_ch));
  for (std::int64_t o = 0; o < o_ch; ++o) {
    y.data[static_cast<std::size_t>(o)] =
        static_cast<std::int64_t>(scratch[static_cast<std::size_t>(f + o)]) + a.bias[static_cast<std::size_t>(o)];
  }
}

void combine(const CombineAttrs& a, std::span<const IntTensor* const> xs, IntTensor& y) {
  const IntTensor& first = *xs[0];
  y.shape = first.shape;
  y.data.resize(first.data.size());
  const std::int64_t channels = first.shape.empty() ? 1 : first.shape[0];
  const std::size_t per_channel = first.data.size() / static_cast<std::size_t>(channels);
  for (std::int64_t c = 0; c < channels; ++c) {
    const auto cc = static_cast<std::size_t>(c);
    const std::int64_t bias = a.bias.size() == 1 ? a.bias[0] : a.bias[cc];
    for (std::size_t i = cc * per_channel; i < (cc + 1) * per_channel; ++i) y.data[i] = bias;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const auto& m = a.multipliers[k];
      const std::int64_t mult = m.size() == 1 ? m[0] : m[cc];
      const auto& xd = xs[k]->data;
      for (std::size_t i = cc * per_channel; i < (cc + 1) * per_channel; ++i) y.data[i] += mult * xd[i];
    }
  }
}

}  // namespace veil::nn::quant
