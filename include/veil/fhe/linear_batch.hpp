#pragma once
// Linear combinations of ciphertexts with clear integer weights: the conv, fully connected,
// combine, sum-pool and flatten layers, given to a backend a whole row of a layer at a time so
// that a device sees large batches (Backend::linear_batch, docs/cuda_backend.md "Linear layers").
#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// Groups of outputs that read the same input ciphertexts, with weights from one matrix W
/// (`weights`, row-major, `columns` per row). Output o of group g is written to ciphertext
/// output_index[o] of the outputs:
///
///   out = sum over the group's terms t of W[output_row[o]][term_column[t]] * in(term_input[t])
///         + (0, ..., 0, output_constant[o])                                        (mod 2^64)
///
/// where in(i) is ciphertext i of the concatenation of the batch's sources. Group g's terms are
/// [group_terms[g], group_terms[g+1]), its outputs [group_outputs[g], group_outputs[g+1]).
/// A convolution's row is one group per output position (terms: the window's unpadded taps,
/// columns of W; outputs: the channels, rows of W), a fully connected layer one group, an
/// element-wise layer one group per element. Every output ciphertext is written exactly once.
struct LinearTerms {
  std::vector<std::int64_t> weights;
  std::size_t columns = 1;
  std::vector<std::uint32_t> group_terms{0};
  std::vector<std::uint32_t> term_input;
  std::vector<std::uint32_t> term_column;
  std::vector<std::uint32_t> group_outputs{0};
  std::vector<std::uint32_t> output_index;
  std::vector<std::uint32_t> output_row;
  std::vector<Torus> output_constant;

  std::size_t groups() const { return group_terms.size() - 1; }
  void add_term(std::uint32_t input, std::uint32_t column) {
    term_input.push_back(input);
    term_column.push_back(column);
  }
  void add_output(std::uint32_t index, std::uint32_t row, Torus constant) {
    output_index.push_back(index);
    output_row.push_back(row);
    output_constant.push_back(constant);
  }
  /// Closes the group made of the terms and outputs added since the last end_group().
  void end_group() {
    group_terms.push_back(static_cast<std::uint32_t>(term_input.size()));
    group_outputs.push_back(static_cast<std::uint32_t>(output_index.size()));
  }
};

class ResidentArray;

/// The terms over sources of one kind: host arrays, or a backend's resident arrays.
template <class Array>
struct LinearBatchOver : LinearTerms {
  std::vector<const Array*> sources;
};

using LinearBatch = LinearBatchOver<LweCiphertextArray>;
using ResidentLinearBatch = LinearBatchOver<ResidentArray>;

}  // namespace veil::fhe
