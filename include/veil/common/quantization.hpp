#pragma once
// How real numbers are carried as integers: the quantizer (nn) makes these encodings and the FHE
// client (client, which links no nn) applies them, so both live here and an encrypted input holds
// exactly the integers the clear run reads. Exact semantics: docs/quantization.md.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/common/tensor.hpp"

namespace veil {

/// Dense row-major int64 tensor (one image or a batch).
struct IntTensor {
  Shape shape;
  std::vector<std::int64_t> data;
};

/// real = scale[c] * (q - zero_point[c]) for channel c (dimension 0 of the per-image
/// shape). One entry applies to every channel (per tensor).
struct QuantScale {
  std::vector<double> scale{1.0};
  std::vector<std::int64_t> zero_point{0};

  double scale_at(std::int64_t c) const { return scale.size() == 1 ? scale[0] : scale[static_cast<std::size_t>(c)]; }
  std::int64_t zero_point_at(std::int64_t c) const {
    return zero_point.size() == 1 ? zero_point[0] : zero_point[static_cast<std::size_t>(c)];
  }
};

/// Client side, in the clear: q = clamp(floor(x / scale + 1/2) + zero_point, q_min, q_max).
struct QuantizeInputAttrs {
  double scale = 1.0;
  std::int64_t zero_point = 0;
  std::int64_t q_min = 0, q_max = 255;
};

/// x: one image, `count` floats of the circuit's input shape; y.data gets `count` integers
/// (y.shape is left to the caller).
void quantize_input(const QuantizeInputAttrs& attrs, const float* x, std::size_t count, IntTensor& y);

/// Reads integers [N, ...] of per-image `shape` as real numbers with `scale`.
void dequantize_output(const Shape& shape, const QuantScale& scale, const IntTensor& integers, Tensor& output);

}  // namespace veil
