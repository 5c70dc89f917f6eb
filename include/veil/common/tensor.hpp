#pragma once
// Dense row-major float32 tensor: the currency between io (weights, images) and nn.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace veil {

using Shape = std::vector<std::int64_t>;

/// Number of elements of a shape (1 for a scalar, i.e. an empty shape).
std::int64_t element_count(const Shape& shape);

/// "[64, 3, 7, 7]"
std::string to_string(const Shape& shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;  // row-major, data.size() == element_count(shape)

  Tensor() = default;
  explicit Tensor(Shape s) : shape(std::move(s)), data(static_cast<std::size_t>(element_count(shape)), 0.0f) {}
  Tensor(Shape s, std::vector<float> d);  // throws InvalidArgument if sizes disagree

  std::int64_t size() const { return static_cast<std::int64_t>(data.size()); }
  std::int64_t dim(std::size_t i) const { return shape.at(i); }
};

/// A checkpoint's tensors by their state_dict names, in sorted order.
using StateDict = std::map<std::string, Tensor>;

}  // namespace veil
