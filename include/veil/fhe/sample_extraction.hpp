#pragma once
// Sample extraction: coefficient `index` of a GLWE ciphertext's phase as an LWE ciphertext
// under the flattened GLWE key (dimension k*N).
#include <cstddef>
#include <span>

#include "veil/fhe/dimensions.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// glwe: (k+1)*N values; out: k*N + 1 values. Throws InvalidArgument on a size mismatch
/// or index >= N.
void extract_sample(std::span<const Torus> glwe, GlweDimension k, PolynomialSize N, std::size_t index, LweView out);

}  // namespace veil::fhe
