#pragma once
// External product GGSW ⊡ GLWE and CMUX, with one GGSW of the Fourier bootstrapping key.
// GLWE operands are spans of (k+1)*N Torus values (masks, then body).
#include <cstddef>
#include <span>

#include "veil/fhe/bootstrap_key.hpp"

namespace veil::fhe {

/// Bytes of scratch external_product_add and cmux_inplace need for this key's shape.
std::size_t external_product_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level);

/// out += bsk.ggsw(index) ⊡ in. `in` and `out` must not overlap. No allocation.
/// Throws InvalidArgument on a size mismatch (scratch included).
void external_product_add(const FourierBootstrapKey& bsk, std::size_t index, std::span<const Torus> in,
                          std::span<Torus> out, std::span<std::byte> scratch);

/// acc = acc + ggsw(index) ⊡ (X^rotation * acc - acc): acc if the key bit is 0, X^rotation*acc if 1.
/// rotation in [0, 2N). Scratch: external_product_scratch_size plus one polynomial of Torus.
std::size_t cmux_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level);
void cmux_rotate_inplace(const FourierBootstrapKey& bsk, std::size_t index, std::size_t rotation, std::span<Torus> acc,
                         std::span<std::byte> scratch);

}  // namespace veil::fhe
