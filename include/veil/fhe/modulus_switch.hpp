#pragma once
// Modulus switch from Z/2^64 to Z/2N: x -> round(x * 2N / 2^64) mod 2N, value by value, and the
// centred switch, whose body also takes half the mask's rounding errors.
#include <span>

#include "veil/fhe/dimensions.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/parameters.hpp"

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

/// The centred switch (ModulusSwitchKind::CenteredMean): the mask as modulus_switch does; the
/// body is modulus_switch_value(b + Σ r_i / 2) with r_i = out[i]·2^64/2N − a_i, each r_i taken
/// as a signed value in [−2^64/4N, 2^64/4N]. Same checks as modulus_switch.
void centered_modulus_switch(LweConstView in, PolynomialSize N, std::span<Torus> out);

/// The switch `kind` names.
void modulus_switch(LweConstView in, PolynomialSize N, ModulusSwitchKind kind, std::span<Torus> out);

}  // namespace veil::fhe
