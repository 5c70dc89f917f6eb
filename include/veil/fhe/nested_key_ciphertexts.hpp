#pragma once
// Ciphertexts across nested GLWE keys (docs/parameters.md, "Nested GLWE keys"): a narrower
// partition's key is a prefix of the widest one, so a ciphertext moves between them by dropping or
// appending zero mask coefficients, with no key switch and no added noise.
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// `inputs` restricted to the prefix key of dimension `dimension`: each ciphertext's first
/// `dimension` mask coefficients and its body. Throws InvalidArgument when `dimension` exceeds the
/// inputs' or a dropped coefficient is nonzero (the ciphertext is not under the prefix key).
LweCiphertextArray restrict_to_prefix_key(const LweCiphertextArray& inputs, LweDimension dimension);

/// `inputs`, under a prefix key, written into `outputs` under the wider key: the mask padded with
/// zeros. Throws InvalidArgument when the counts differ or `outputs` is narrower than `inputs`.
void extend_to_wider_key(const LweCiphertextArray& inputs, LweCiphertextArray& outputs);

}  // namespace veil::fhe
