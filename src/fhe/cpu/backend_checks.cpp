#include "fhe/cpu/backend_checks.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {

// Both PBS checks; `nested` lets inputs and outputs be under a key wider than the big key.
void check_pbs_shapes(std::string_view backend, const ServerKey& key, std::size_t inputs, LweDimension in_dimension,
                      std::span<const LookupTable* const> tables, std::size_t outputs, LweDimension out_dimension,
                      bool nested) {
  const ParameterSet& p = key.parameters();
  const LweDimension big = p.big_lwe_dimension();
  const std::string where = "programmable_bootstrap_batch (" + std::string(backend) + "): ";
  const auto fits = [&](LweDimension d) { return nested ? d.value >= big.value : d == big; };
  if (!fits(in_dimension) || !fits(out_dimension) || outputs != inputs ||
      (tables.size() != 1 && tables.size() != inputs)) {
    throw InvalidArgument(where + std::to_string(inputs) + " inputs of dimension " +
                          std::to_string(in_dimension.value) + ", " + std::to_string(outputs) +
                          " outputs of dimension " + std::to_string(out_dimension.value) + ", " +
                          std::to_string(tables.size()) + " tables; expected dimension " + (nested ? "at least " : "") +
                          "k*N = " + std::to_string(big.value) + " (" + p.name +
                          "), as many outputs as inputs and 1 or one table per input");
  }
  for (const LookupTable* t : tables) {
    if (t == nullptr || t->polynomial_size() != p.polynomial_size) {
      throw InvalidArgument(where + "a table is null or not of N = " + std::to_string(p.polynomial_size.value) + " (" +
                            p.name + ")");
    }
  }
}

}  // namespace

void check_pbs_batch(std::string_view backend, const ServerKey& key, const LweCiphertextArray& inputs,
                     std::span<const LookupTable* const> tables, const LweCiphertextArray& outputs) {
  check_pbs_shapes(backend, key, inputs.size(), inputs.dimension(), tables, outputs.size(), outputs.dimension(), false);
}

void check_resident_pbs_batch(std::string_view backend, const ServerKey& key, const ResidentArray& inputs,
                              std::span<const LookupTable* const> tables, const ResidentArray& outputs) {
  check_pbs_shapes(backend, key, inputs.size(), inputs.dimension(), tables, outputs.size(), outputs.dimension(), true);
}

void check_keyswitch_batch(std::string_view backend, const KeyswitchKey& key, const LweCiphertextArray& inputs,
                           const LweCiphertextArray& outputs) {
  if (inputs.size() != outputs.size() || inputs.dimension() != key.input_lwe_dimension() ||
      outputs.dimension() != key.output_lwe_dimension()) {
    throw InvalidArgument(
        "keyswitch_batch (" + std::string(backend) + "): " + std::to_string(inputs.size()) + " inputs of dimension " +
        std::to_string(inputs.dimension().value) + ", " + std::to_string(outputs.size()) + " outputs of dimension " +
        std::to_string(outputs.dimension().value) + "; expected " + std::to_string(key.input_lwe_dimension().value) +
        " -> " + std::to_string(key.output_lwe_dimension().value) + " and equal counts");
  }
}

namespace {

// Offsets of `count` groups into `size` items: start at 0, never decrease, end at size.
bool valid_offsets(const std::vector<std::uint32_t>& offsets, std::size_t groups, std::size_t size) {
  return offsets.size() == groups + 1 && offsets.front() == 0 && offsets.back() == size &&
         std::is_sorted(offsets.begin(), offsets.end());
}

}  // namespace

void check_resident_copy(std::string_view what, const LweCiphertextArray& host, const ResidentArray& resident) {
  if (host.size() != resident.size() || host.dimension() != resident.dimension()) {
    throw InvalidArgument(std::string(what) + ": " + std::to_string(host.size()) + " host ciphertexts of dimension " +
                          std::to_string(host.dimension().value) + " and " + std::to_string(resident.size()) +
                          " resident ones of dimension " + std::to_string(resident.dimension().value));
  }
}

void refuse_linear_source(std::string_view backend, LweDimension outputs) {
  throw InvalidArgument("linear_batch (" + std::string(backend) +
                        "): a source is null, the outputs themselves or not of the outputs' dimension " +
                        std::to_string(outputs.value));
}

void check_linear_terms(std::string_view backend, const LinearTerms& batch, std::size_t inputs, std::size_t outputs) {
  const std::string where = "linear_batch (" + std::string(backend) + "): ";
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (inputs > kMax || outputs > kMax || batch.columns == 0 || batch.columns > kMax ||
      batch.weights.size() % batch.columns != 0) {
    throw InvalidArgument(where + std::to_string(inputs) + " inputs, " + std::to_string(outputs) + " outputs, " +
                          std::to_string(batch.weights.size()) + " weights in rows of " +
                          std::to_string(batch.columns) +
                          ": expected at most 2^32 - 1 ciphertexts each way and whole rows");
  }
  const std::size_t rows = batch.weights.size() / batch.columns, groups = batch.groups();
  const std::size_t terms = batch.term_input.size(), outs = batch.output_index.size();
  if (batch.term_column.size() != terms || batch.output_row.size() != outs || batch.output_constant.size() != outs ||
      !valid_offsets(batch.group_terms, groups, terms) || !valid_offsets(batch.group_outputs, groups, outs)) {
    throw InvalidArgument(where + "the group offsets or the term and output lists disagree (" + std::to_string(groups) +
                          " groups, " + std::to_string(terms) + " terms, " + std::to_string(outs) + " outputs)");
  }
  for (std::size_t t = 0; t < terms; ++t) {
    if (batch.term_input[t] >= inputs || batch.term_column[t] >= batch.columns) {
      throw InvalidArgument(where + "term " + std::to_string(t) + " reads input " +
                            std::to_string(batch.term_input[t]) + " of " + std::to_string(inputs) + ", column " +
                            std::to_string(batch.term_column[t]) + " of " + std::to_string(batch.columns));
    }
  }
  std::vector<bool> written(outputs, false);
  for (std::size_t o = 0; o < outs; ++o) {
    const std::uint32_t index = batch.output_index[o];
    if (batch.output_row[o] >= rows || index >= outputs || written[index]) {
      throw InvalidArgument(where + "output " + std::to_string(o) + " has row " + std::to_string(batch.output_row[o]) +
                            " of " + std::to_string(rows) + " and ciphertext " + std::to_string(index) + " of " +
                            std::to_string(outputs) + " (each written once)");
    }
    written[index] = true;
  }
  if (outs != outputs) {
    throw InvalidArgument(where + std::to_string(outs) + " outputs for " + std::to_string(outputs) +
                          " ciphertexts: every ciphertext must be written");
  }
}

}  // namespace veil::fhe
