#include "nn/quant/kernels/int_kernels.hpp"

namespace veil::nn::quant {

void sum_pool2d(const SumPool2dAttrs& a, const IntTensor& x, const Shape& out_shape, IntTensor& y) {
  const std::int64_t channels = x.shape[0], h = x.shape[1], w = x.shape[2], ho = out_shape[1], wo = out_shape[2];
  y.shape = out_shape;
  y.data.resize(static_cast<std::size_t>(channels * ho * wo));
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t i = 0; i < ho; ++i) {
      for (std::int64_t j = 0; j < wo; ++j) {
        std::int64_t s = a.bias;
        for (std::int64_t u = 0; u < a.kernel; ++u) {
          for (std::int64_t v = 0; v < a.kernel; ++v) {
            const std::int64_t r = i * a.stride - a.padding + u, q = j * a.stride - a.padding + v;
            s += (r < 0 || r >= h || q < 0 || q >= w) ? a.pad_value
                                                      : x.data[static_cast<std::size_t>((c * h + r) * w + q)];
          }
        }
        y.data[static_cast<std::size_t>((c * ho + i) * wo + j)] = s;
      }
    }
  }
}

namespace {

// max2(a, b) = b + L(a - b): one PBS.
std::int64_t max2(std::int64_t a, std::int64_t b, const PreparedLookup& pair, PbsReader& reader) {
  return b + reader.read(pair, 0, a - b);
}

}  // namespace

void max_pool2d(const MaxPool2dAttrs& a, const PreparedLookup& pair, const IntTensor& x, const Shape& out_shape,
                IntTensor& y, PbsReader& reader, std::vector<std::int64_t>& scratch) {
  const std::int64_t channels = x.shape[0], h = x.shape[1], w = x.shape[2], ho = out_shape[1], wo = out_shape[2];
  const std::int64_t k = a.kernel, st = a.stride, pd = a.padding;
  y.shape = out_shape;
  y.data.resize(static_cast<std::size_t>(channels * ho * wo));
  auto at = [&](std::int64_t c, std::int64_t r, std::int64_t q) {
    return x.data[static_cast<std::size_t>((c * h + r) * w + q)];
  };
  if (a.schedule == MaxPoolSchedule::Sequential) {
    for (std::int64_t c = 0; c < channels; ++c) {
      for (std::int64_t i = 0; i < ho; ++i) {
        for (std::int64_t j = 0; j < wo; ++j) {
          std::int64_t m = 0;
          for (std::int64_t t = 0; t < k * k; ++t) {
            const std::int64_t r = i * st - pd + t / k, q = j * st - pd + t % k;
            const std::int64_t v = (r < 0 || r >= h || q < 0 || q >= w) ? a.pad_value : at(c, r, q);
            m = t == 0 ? v : max2(v, m, pair, reader);
          }
          y.data[static_cast<std::size_t>((c * ho + i) * wo + j)] = m;
        }
      }
    }
    return;
  }
  // Separable: rows first (every input row, each output column), then columns.
  scratch.resize(static_cast<std::size_t>(channels * h * wo));
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t r = 0; r < h; ++r) {
      for (std::int64_t j = 0; j < wo; ++j) {
        bool first = true;
        std::int64_t m = 0;
        for (std::int64_t t = 0; t < k; ++t) {
          const std::int64_t q = j * st - pd + t;
          if (q < 0 || q >= w) continue;
          m = first ? at(c, r, q) : max2(at(c, r, q), m, pair, reader);
          first = false;
        }
        scratch[static_cast<std::size_t>((c * h + r) * wo + j)] = m;
      }
    }
  }
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t i = 0; i < ho; ++i) {
      for (std::int64_t j = 0; j < wo; ++j) {
        bool first = true;
        std::int64_t m = 0;
        for (std::int64_t t = 0; t < k; ++t) {
          const std::int64_t r = i * st - pd + t;
          if (r < 0 || r >= h) continue;
          const std::int64_t v = scratch[static_cast<std::size_t>((c * h + r) * wo + j)];
          m = first ? v : max2(v, m, pair, reader);
          first = false;
        }
        y.data[static_cast<std::size_t>((c * ho + i) * wo + j)] = m;
      }
    }
  }
}

}  // namespace veil::nn::quant
