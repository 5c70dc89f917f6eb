#pragma once
// The argument checks of fhe::Backend's batch entry points, shared by every backend so that
// all of them refuse the same inputs with the same messages.
#include <span>
#include <string_view>

#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/linear_batch.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/resident_array.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// InvalidArgument (prefixed with `backend`'s name) unless inputs and outputs are under the big
/// key, equally many, with 1 or one non-null table of the key's N per input.
void check_pbs_batch(std::string_view backend, const ServerKey& key, const LweCiphertextArray& inputs,
                     std::span<const LookupTable* const> tables, const LweCiphertextArray& outputs);

/// As check_pbs_batch, but inputs and outputs may be under a wider key than the big key, of
/// which the big key is a prefix (nested keys: Backend::bootstrap_resident).
void check_resident_pbs_batch(std::string_view backend, const ServerKey& key, const ResidentArray& inputs,
                              std::span<const LookupTable* const> tables, const ResidentArray& outputs);

/// InvalidArgument unless inputs and outputs have the key's dimensions and equal counts.
void check_keyswitch_batch(std::string_view backend, const KeyswitchKey& key, const LweCiphertextArray& inputs,
                           const LweCiphertextArray& outputs);

/// InvalidArgument (naming `what`, upload or download) unless `host` and `resident` have the
/// same count and dimension.
void check_resident_copy(std::string_view what, const LweCiphertextArray& host, const ResidentArray& resident);

/// InvalidArgument unless W has whole rows of `columns` values, the group offsets run from 0 to
/// the term and output counts without decreasing, every term names one of `inputs` and a column
/// that exist, every output a row of W, and the output indices are a permutation of [0, outputs).
void check_linear_terms(std::string_view backend, const LinearTerms& batch, std::size_t inputs, std::size_t outputs);

/// InvalidArgument "a source is null, the outputs themselves or not of the outputs' dimension".
[[noreturn]] void refuse_linear_source(std::string_view backend, LweDimension outputs);

/// check_linear_terms, after checking that every source is non-null, not the outputs and of the
/// outputs' dimension. Returns the input count.
template <class Array, class Outputs>
std::size_t check_linear_batch(std::string_view backend, const LinearBatchOver<Array>& batch, const Outputs& outputs) {
  std::size_t inputs = 0;
  for (const Array* source : batch.sources) {
    if (source == nullptr || static_cast<const void*>(source) == static_cast<const void*>(&outputs) ||
        source->dimension() != outputs.dimension()) {
      refuse_linear_source(backend, outputs.dimension());
    }
    inputs += source->size();
  }
  check_linear_terms(backend, batch, inputs, outputs.size());
  return inputs;
}

}  // namespace veil::fhe
