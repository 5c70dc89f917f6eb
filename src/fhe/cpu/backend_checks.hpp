#pragma once
// The argument checks of fhe::Backend's batch entry points, shared by every backend so that
// all of them refuse the same inputs with the same messages.
#include <span>
#include <string_view>

#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/linear_batch.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// InvalidArgument (prefixed with `backend`'s name) unless inputs and outputs are under the big
/// key, equally many, with 1 or one non-null table of the key's N per input.
void check_pbs_batch(std::string_view backend, const ServerKey& key, const LweCiphertextArray& inputs,
                     std::span<const LookupTable* const> tables, const LweCiphertextArray& outputs);

/// InvalidArgument unless inputs and outputs have the key's dimensions and equal counts.
void check_keyswitch_batch(std::string_view backend, const KeyswitchKey& key, const LweCiphertextArray& inputs,
                           const LweCiphertextArray& outputs);

/// InvalidArgument unless every source is non-null and of outputs' dimension, W has whole rows
/// of `columns` values, the group offsets run from 0 to the term and output counts without
/// decreasing, every term names an input and a column that exist, every output a row of W, and
/// the output indices are a permutation of [0, outputs.size()). Returns the input count.
std::size_t check_linear_batch(std::string_view backend, const LinearBatch& batch, const LweCiphertextArray& outputs);

}  // namespace veil::fhe
