#pragma once
// The resident rows of one value during a run, and the byte count of all resident rows.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/row_layout.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::runtime::detail {

/// Bytes of ciphertext rows resident across all values, and the largest total seen.
struct ResidentBytes {
  std::uint64_t now = 0;
  std::uint64_t peak = 0;
};

class RowStore {
 public:
  RowStore(RowLayout layout, fhe::LweDimension dimension, ResidentBytes& resident);

  const RowLayout& layout() const { return layout_; }
  /// Rows [0, produced()) have been made (some may be freed since).
  std::size_t produced() const { return produced_; }
  /// A zeroed row for the next row to produce; commit() makes it resident.
  fhe::LweCiphertextArray new_row() const;
  void commit(fhe::LweCiphertextArray row);
  /// Frees every row below `row` (rows no reader will read again).
  void free_below(std::size_t row);

  const fhe::LweCiphertextArray& row(std::size_t r) const;
  /// The ciphertext of element (c, line, col): its n+1 values.
  fhe::LweConstView element(std::int64_t c, std::int64_t line, std::int64_t col) const {
    return row(layout_.row_of(line))[layout_.index_in_row(c, line, col)];
  }
  /// Hands the (only) row of a whole value to the caller.
  fhe::LweCiphertextArray take_whole();

 private:
  std::uint64_t row_bytes() const;

  RowLayout layout_;
  fhe::LweDimension dimension_;
  ResidentBytes& resident_;
  std::vector<fhe::LweCiphertextArray> rows_;  // empty arrays where not resident
  std::vector<bool> resident_rows_;
  std::size_t produced_ = 0;
  std::size_t freed_below_ = 0;
};

}  // namespace veil::runtime::detail
