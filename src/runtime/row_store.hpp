#pragma once
// The resident rows of one value during a run, and the byte count of all resident rows. Rows are
// the backend's resident arrays (device memory on a GPU), so they stay where the batches run.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/row_layout.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::runtime::detail {

/// Bytes of ciphertext rows resident across all values, and the largest total seen.
struct ResidentBytes {
  std::uint64_t now = 0;
  std::uint64_t peak = 0;
};

class RowStore {
 public:
  RowStore(RowLayout layout, fhe::LweDimension dimension, fhe::Backend& backend, ResidentBytes& resident);

  const RowLayout& layout() const { return layout_; }
  /// Rows [0, produced()) have been made (some may be freed since).
  std::size_t produced() const { return produced_; }
  /// A zeroed row for the next row to produce; commit() makes it resident.
  std::unique_ptr<fhe::ResidentArray> new_row() const;
  void commit(std::unique_ptr<fhe::ResidentArray> row);
  /// Frees every row below `row` (rows no reader will read again).
  void free_below(std::size_t row);

  const fhe::ResidentArray& row(std::size_t r) const;
  /// Where the ciphertext of element (c, line, col) sits: its row and its index there.
  struct Place {
    const fhe::ResidentArray* row;
    std::size_t index;
  };
  Place element(std::int64_t c, std::int64_t line, std::int64_t col) const {
    return {&row(layout_.row_of(line)), layout_.index_in_row(c, line, col)};
  }
  /// Hands the (only) row of a whole value to the caller.
  std::unique_ptr<fhe::ResidentArray> take_whole();

 private:
  std::uint64_t row_bytes() const;

  RowLayout layout_;
  fhe::LweDimension dimension_;
  fhe::Backend& backend_;
  ResidentBytes& resident_;
  std::vector<std::unique_ptr<fhe::ResidentArray>> rows_;  // null where not resident
  std::size_t produced_ = 0;
  std::size_t freed_below_ = 0;
};

}  // namespace veil::runtime::detail
