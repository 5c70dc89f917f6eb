#pragma once
// Modulus switch from Z/2^64 to Z/2N: x -> round(x * 2N / 2^64) mod 2N, value by value.
#include <span>

#include "veil/fhe/dimensions.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// round(x * 2N / 2^64) mod 2N. N must be a power of two.
inline Torus modulus_switch_value(Torus x, PolynomialSize N) {
  const int log2_2n = __builtin_ctzll(2 * N.value);
  const int shift = 64 - log2_2n;
  return (((x >> (shift - 1)) + 1) >> 1) & (2 * N.value - 1);
}

/// out[i] = modulus_switch_value(in[i], N) for the whole ciphertext (mask and body).
/// Throws InvalidArgument if sizes differ or N is not a power of two >= 2.
void modulus_switch(LweConstView in, PolynomialSize N, std::span<Torus> out);

}  // namespace veil::fhe
