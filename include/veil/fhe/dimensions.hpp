#pragma once
// Strong types for TFHE dimensions, so that n and n+1, or a base log and a level
// count, cannot be confused. Conversions are explicit (`.value`).
#include <compare>
#include <cstddef>
#include <cstdint>

namespace veil::fhe {

#define VEIL_FHE_STRONG_SIZE(Name)                           \
  struct Name {                                              \
    std::size_t value = 0;                                   \
    constexpr explicit Name(std::size_t v = 0) : value(v) {} \
    friend constexpr bool operator==(Name, Name) = default;  \
    friend constexpr auto operator<=>(Name, Name) = default; \
  }

VEIL_FHE_STRONG_SIZE(LweDimension);             // n: number of mask coefficients of an LWE ciphertext
VEIL_FHE_STRONG_SIZE(LweSize);                  // n + 1: mask and body
VEIL_FHE_STRONG_SIZE(GlweDimension);            // k: number of mask polynomials of a GLWE ciphertext
VEIL_FHE_STRONG_SIZE(PolynomialSize);           // N: degree bound of Z[X]/(X^N + 1), a power of two
VEIL_FHE_STRONG_SIZE(DecompositionBaseLog);     // log2 B of a gadget decomposition
VEIL_FHE_STRONG_SIZE(DecompositionLevelCount);  // l: number of levels of a gadget decomposition

#undef VEIL_FHE_STRONG_SIZE

constexpr LweSize to_lwe_size(LweDimension n) { return LweSize(n.value + 1); }
/// Dimension of the LWE key obtained by flattening a GLWE key (k*N): the "big" key.
constexpr LweDimension flattened_lwe_dimension(GlweDimension k, PolynomialSize N) {
  return LweDimension(k.value * N.value);
}

/// An element of the discretised torus Z/2^64.
using Torus = std::uint64_t;

}  // namespace veil::fhe
