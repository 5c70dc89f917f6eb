#include "runtime/row_layout.hpp"

#include "veil/common/error.hpp"

namespace veil::runtime::detail {

RowLayout make_row_layout(const Shape& shape, bool whole) {
  if (shape.size() == 3) return {shape[0], shape[1], shape[2], whole};
  if (shape.size() == 1) return {shape[0], 1, 1, true};
  throw InvalidArgument("server: a value of shape " + to_string(shape) + ", expected [C, H, W] or [F]");
}

}  // namespace veil::runtime::detail
