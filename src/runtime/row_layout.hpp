#pragma once
// How the server splits one value's ciphertexts into rows. A [C, H, W] value read line by
// line has H rows of C*W ciphertexts, channel-major (c*W + col). A whole value (a 1-D value,
// a value read by Flatten or IntLinear, the program's output) is one row in C, H, W order,
// the order of the client's files. 1-D values [F] are laid out as [F, 1, 1].
#include <cstddef>
#include <cstdint>

#include "veil/common/tensor.hpp"

namespace veil::runtime::detail {

/// Inclusive range of lines (or rows); empty when last < first.
struct LineRange {
  std::int64_t first = 0, last = -1;
  bool empty() const { return last < first; }
};

struct RowLayout {
  std::int64_t channels = 1, height = 1, width = 1;
  bool whole = false;

  std::size_t rows() const { return whole ? 1 : static_cast<std::size_t>(height); }
  std::size_t row_size() const {
    return static_cast<std::size_t>(whole ? channels * height * width : channels * width);
  }
  std::size_t row_of(std::int64_t line) const { return whole ? 0 : static_cast<std::size_t>(line); }
  std::size_t index_in_row(std::int64_t c, std::int64_t line, std::int64_t col) const {
    return static_cast<std::size_t>(whole ? (c * height + line) * width + col : c * width + col);
  }
  /// Channel, line and column of ciphertext `index` of row `row`.
  struct Position {
    std::int64_t channel, line, col;
  };
  Position position(std::size_t row, std::size_t index) const {
    const auto i = static_cast<std::int64_t>(index);
    if (whole) return {i / (height * width), i / width % height, i % width};
    return {i / width, static_cast<std::int64_t>(row), i % width};
  }
  /// Lines held by one row.
  LineRange lines_of(std::size_t row) const {
    if (whole) return {0, height - 1};
    return {static_cast<std::int64_t>(row), static_cast<std::int64_t>(row)};
  }
  /// Rows holding the lines (clipped to the value).
  LineRange rows_of(LineRange lines) const {
    if (lines.first < 0) lines.first = 0;
    if (lines.last > height - 1) lines.last = height - 1;
    if (lines.empty()) return {};
    return {static_cast<std::int64_t>(row_of(lines.first)), static_cast<std::int64_t>(row_of(lines.last))};
  }
};

/// [C, H, W] or [F] (as [F, 1, 1]); InvalidArgument for other ranks.
RowLayout make_row_layout(const Shape& shape, bool whole);

}  // namespace veil::runtime::detail
