#pragma once
// The sources of one fhe::ResidentLinearBatch: the resident arrays (input rows, a row's
// intermediate arrays) that a stage's row reads, each added once, and an element's index in
// their concatenation.
#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/row_task.hpp"
#include "veil/fhe/linear_batch.hpp"

namespace veil::runtime::detail {

class BatchSources {
 public:
  BatchSources(const RowTask& task, fhe::ResidentLinearBatch& batch) : task_(task), batch_(batch) {}

  /// Index of the first ciphertext of `array` (added on first use).
  std::uint32_t base(const fhe::ResidentArray& array) {
    for (const auto& [source, first] : bases_) {
      if (source == &array) return first;
    }
    bases_.emplace_back(&array, count_);
    batch_.sources.push_back(&array);
    count_ += static_cast<std::uint32_t>(array.size());
    return bases_.back().second;
  }
  /// Index of a ciphertext of a resident row.
  std::uint32_t at(const RowStore::Place& place) { return base(*place.row) + static_cast<std::uint32_t>(place.index); }
  /// Index of element (c, line, col) of input `slot`.
  std::uint32_t element(std::size_t slot, std::int64_t c, std::int64_t line, std::int64_t col) {
    return at(task_.inputs[slot]->element(c, line, col));
  }

 private:
  const RowTask& task_;
  fhe::ResidentLinearBatch& batch_;
  std::vector<std::pair<const fhe::ResidentArray*, std::uint32_t>> bases_;
  std::uint32_t count_ = 0;
};

}  // namespace veil::runtime::detail
