#include "runtime/row_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace veil::runtime::detail {

RowStore::RowStore(RowLayout layout, fhe::LweDimension dimension, ResidentBytes& resident)
    : layout_(layout),
      dimension_(dimension),
      resident_(resident),
      rows_(layout.rows()),
      resident_rows_(layout.rows(), false) {}

std::uint64_t RowStore::row_bytes() const {
  return static_cast<std::uint64_t>(layout_.row_size()) * (dimension_.value + 1) * sizeof(fhe::Torus);
}

fhe::LweCiphertextArray RowStore::new_row() const { return fhe::LweCiphertextArray(layout_.row_size(), dimension_); }

void RowStore::commit(fhe::LweCiphertextArray row) {
  // Internal invariants of the evaluator: a violation is a bug, not bad input.
  if (produced_ >= rows_.size() || row.size() != layout_.row_size()) throw std::logic_error("RowStore::commit");
  rows_[produced_] = std::move(row);
  resident_rows_[produced_] = true;
  ++produced_;
  resident_.now += row_bytes();
  resident_.peak = std::max(resident_.peak, resident_.now);
}

void RowStore::free_below(std::size_t row) {
  row = std::min(row, produced_);
  for (; freed_below_ < row; ++freed_below_) {
    if (!resident_rows_[freed_below_]) continue;
    rows_[freed_below_] = fhe::LweCiphertextArray();
    resident_rows_[freed_below_] = false;
    resident_.now -= row_bytes();
  }
}

const fhe::LweCiphertextArray& RowStore::row(std::size_t r) const {
  if (r >= rows_.size() || !resident_rows_[r]) {
    throw std::logic_error("RowStore: row " + std::to_string(r) + " is not resident");
  }
  return rows_[r];
}

fhe::LweCiphertextArray RowStore::take_whole() {
  if (!layout_.whole || produced_ != 1 || !resident_rows_[0]) throw std::logic_error("RowStore::take_whole");
  resident_rows_[0] = false;
  resident_.now -= row_bytes();
  return std::move(rows_[0]);
}

}  // namespace veil::runtime::detail
