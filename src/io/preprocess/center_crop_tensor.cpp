#include "veil/io/center_crop_tensor.hpp"

#include <algorithm>

#include "veil/common/error.hpp"

namespace veil::io {

Tensor center_crop_tensor(const Tensor& images, std::int64_t size) {
  const Shape& shape = images.shape;
  if (shape.size() < 2)
    throw InvalidArgument("center_crop_tensor: shape " + to_string(shape) + " has no [H, W] dimensions");
  const std::int64_t h = shape[shape.size() - 2], w = shape.back();
  if (size < 1 || size > h || size > w)
    throw InvalidArgument("center_crop_tensor: a " + std::to_string(size) + " x " + std::to_string(size) +
                          " crop does not fit an image of shape " + to_string(shape));
  Shape out_shape = shape;
  out_shape[shape.size() - 2] = out_shape.back() = size;
  Tensor out(out_shape);
  const std::int64_t top = (h - size) / 2, left = (w - size) / 2;
  const std::int64_t planes = element_count(shape) / (h * w);
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t r = 0; r < size; ++r) {
      const float* from = images.data.data() + (p * h + top + r) * w + left;
      std::copy(from, from + size, out.data.data() + (p * size + r) * size);
    }
  return out;
}

}  // namespace veil::io
