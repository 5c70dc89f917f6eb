#pragma once
// The linear stages on rows: clear integer weights times ciphertexts lifted to the stage's
// exponent, padded positions and biases as plaintexts on the body. A row is one
// fhe::LinearBatch for the task's backend (all positions and channels at once).
#include "runtime/row_task.hpp"
#include "veil/fhe/seeded_lwe.hpp"

namespace veil::runtime::detail {

/// Conv, Linear, Combine, SumPool or Flatten (by task.stage.kind).
void compute_linear_row(const RowTask& task);

/// The input stage's row: its ciphertexts regenerated from the client's seeded batch
/// (element (c, i, j) is ciphertext c*H*W + i*W + j).
void expand_input_row(const RowTask& task, const fhe::SeededLweBatch& input);

}  // namespace veil::runtime::detail
