#include "veil/common/tensor.hpp"

#include "veil/common/error.hpp"

namespace veil {

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    if (d < 0) throw InvalidArgument("negative dimension in shape " + to_string(shape));
    n *= d;
  }
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(Shape s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {
  if (static_cast<std::int64_t>(data.size()) != element_count(shape))
    throw InvalidArgument("tensor of shape " + to_string(shape) + " given " + std::to_string(data.size()) +
                          " values, expected " + std::to_string(element_count(shape)));
}

}  // namespace veil
