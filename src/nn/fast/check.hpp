#pragma once
// Shape checks and output sizing shared by the fast kernels.
#include <string>

#include "veil/common/error.hpp"
#include "veil/common/tensor.hpp"

namespace veil::nn::detail {

inline void expect_fast_rank(const char* op, const char* what, const Tensor& t, std::size_t rank) {
  if (t.shape.size() != rank)
    throw InvalidArgument(std::string(op) + ": " + what + " has shape " + to_string(t.shape) + ", expected rank " +
                          std::to_string(rank));
}

inline void expect_fast_shape(const char* op, const char* what, const Tensor& t, const Shape& shape) {
  if (t.shape != shape)
    throw InvalidArgument(std::string(op) + ": " + what + " has shape " + to_string(t.shape) + ", expected " +
                          to_string(shape));
}

// Sizes y without clearing: fast kernels overwrite every element.
inline void reshape_output(Tensor& y, Shape shape) {
  y.data.resize(static_cast<std::size_t>(element_count(shape)));
  y.shape = std::move(shape);
}

}  // namespace veil::nn::detail
