#pragma once
// Shape checks shared by the reference kernels.
#include <string>

#include "veil/common/error.hpp"
#include "veil/common/tensor.hpp"

namespace veil::nn::detail {

inline void expect_rank(const char* op, const char* what, const Tensor& t, std::size_t rank) {
  if (t.shape.size() != rank)
    throw InvalidArgument(std::string(op) + ": " + what + " has shape " + to_string(t.shape) + ", expected rank " +
                          std::to_string(rank));
}

inline void expect_shape(const char* op, const char* what, const Tensor& t, const Shape& shape) {
  if (t.shape != shape)
    throw InvalidArgument(std::string(op) + ": " + what + " has shape " + to_string(t.shape) + ", expected " +
                          to_string(shape));
}

inline void resize(Tensor& y, Shape shape) {
  y.data.assign(static_cast<std::size_t>(element_count(shape)), 0.0f);
  y.shape = std::move(shape);
}

}  // namespace veil::nn::detail
