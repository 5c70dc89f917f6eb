#include "runtime/row_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace veil::runtime::detail {

RowStore::RowStore(RowLayout layout, fhe::LweDimension dimension, fhe::Backend& backend, ResidentBytes& resident)
    : layout_(layout), dimension_(dimension), backend_(backend), resident_(resident), rows_(layout.rows()) {}

std::uint64_t RowStore::row_bytes() const {
  return static_cast<std::uint64_t>(layout_.row_size()) * (dimension_.value + 1) * sizeof(fhe::Torus);
}

std::unique_ptr<fhe::ResidentArray> RowStore::new_row() const {
  return backend_.make_resident(layout_.row_size(), dimension_);
}

void RowStore::commit(std::unique_ptr<fhe::ResidentArray> row) {
  // Internal invariants of the evaluator: a violation is a bug, not bad input.
  if (produced_ >= rows_.size() || row == nullptr || row->size() != layout_.row_size() ||
      row->dimension() != dimension_) {
    throw std::logic_error("RowStore::commit");
  }
  rows_[produced_] = std::move(row);
  ++produced_;
  resident_.now += row_bytes();
  resident_.peak = std::max(resident_.peak, resident_.now);
}

void RowStore::free_below(std::size_t row) {
  row = std::min(row, produced_);
  for (; freed_below_ < row; ++freed_below_) {
    if (rows_[freed_below_] == nullptr) continue;
    rows_[freed_below_].reset();
    resident_.now -= row_bytes();
  }
}

const fhe::ResidentArray& RowStore::row(std::size_t r) const {
  if (r >= rows_.size() || rows_[r] == nullptr) {
    throw std::logic_error("RowStore: row " + std::to_string(r) + " is not resident");
  }
  return *rows_[r];
}

std::unique_ptr<fhe::ResidentArray> RowStore::take_whole() {
  if (!layout_.whole || produced_ != 1 || rows_[0] == nullptr) throw std::logic_error("RowStore::take_whole");
  resident_.now -= row_bytes();
  return std::move(rows_[0]);
}

}  // namespace veil::runtime::detail
