#pragma once
// One row of one stage to compute: the stage, its circuit node, its resident inputs, and
// the output row to fill. Kernels read only the rows the evaluator made resident.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "runtime/row_store.hpp"
#include "runtime/stage_plan.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/resident_array.hpp"

namespace veil::runtime::detail {

/// Runs one PBS batch: outputs[i] = PBS(inputs[i], tables[i] or tables[0]).
using BootstrapBatch = std::function<void(
    const fhe::ResidentArray& inputs, std::span<const fhe::LookupTable* const> tables, fhe::ResidentArray& outputs)>;

struct RowTask {
  const Stage& stage;
  const nn::quant::QNode& node;
  std::vector<const RowStore*> inputs;  // per input slot
  std::vector<int> input_exponents;     // per input slot
  std::size_t row = 0;
  // Zeroed, stage.layout.row_size() ciphertexts; a kernel fills it or replaces it by a row of
  // the same shape that it made.
  std::unique_ptr<fhe::ResidentArray>& out;
  ThreadPool& pool;
  fhe::Backend& backend;  // where the rows are resident and every batch runs
};

/// 2^(to - from) as a torus factor (the plan checked 0 <= to - from <= 63).
inline fhe::Torus lift(int from, int to) { return fhe::Torus{1} << (to - from); }

/// The clear integer q at exponent e: q * 2^e mod 2^64.
inline fhe::Torus encode_at(std::int64_t q, int exponent) { return static_cast<fhe::Torus>(q) << exponent; }

/// w * factor mod 2^64 as the signed weight the linear operations take.
inline std::int64_t scaled_weight(std::int64_t w, fhe::Torus factor) {
  return static_cast<std::int64_t>(static_cast<fhe::Torus>(w) * factor);
}

}  // namespace veil::runtime::detail
