#include "veil/common/quantization.hpp"

#include <algorithm>
#include <cmath>

namespace veil {

void quantize_input(const QuantizeInputAttrs& a, const float* x, std::size_t count, IntTensor& y) {
  y.data.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double q = std::floor(static_cast<double>(x[i]) / a.scale + 0.5) + static_cast<double>(a.zero_point);
    y.data[i] = static_cast<std::int64_t>(std::clamp(q, static_cast<double>(a.q_min), static_cast<double>(a.q_max)));
  }
}

void dequantize_output(const Shape& shape, const QuantScale& scale, const IntTensor& integers, Tensor& output) {
  const std::int64_t channels = shape.empty() ? 1 : shape[0];
  const auto per_image = static_cast<std::size_t>(element_count(shape));
  const std::size_t per_channel = per_image / static_cast<std::size_t>(channels);
  output.shape = integers.shape;
  output.data.resize(integers.data.size());
  for (std::size_t i = 0; i < integers.data.size(); ++i) {
    const auto c = static_cast<std::int64_t>((i % per_image) / per_channel);
    output.data[i] =
        static_cast<float>(scale.scale_at(c) * static_cast<double>(integers.data[i] - scale.zero_point_at(c)));
  }
}

}  // namespace veil
