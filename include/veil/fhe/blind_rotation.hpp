#pragma once
// Blind rotation: from a modulus-switched LWE (values in [0, 2N)) and a lookup table,
// the GLWE accumulator X^(-phase) * table, one CMUX per small-key coefficient.
#include <cstddef>
#include <span>

#include "veil/fhe/bootstrap_key.hpp"
#include "veil/fhe/lookup_table.hpp"

namespace veil::fhe {

std::size_t blind_rotation_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level);

/// switched: n+1 values in [0, 2N) (modulus_switch of an LWE under the small key).
/// acc: (k+1)*N Torus values, overwritten. Throws InvalidArgument on a size mismatch.
void blind_rotate(const FourierBootstrapKey& bsk, std::span<const Torus> switched, const LookupTable& table,
                  std::span<Torus> acc, std::span<std::byte> scratch);

/// Blind-rotates `count` accumulators together, applying each GGSW of the key to all of them
/// before loading the next, so that the key streams from memory once per group instead of once
/// per ciphertext. switched[g] and tables[g] as in blind_rotate; accs: count*(k+1)*N values.
std::size_t blind_rotation_group_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level);
void blind_rotate_group(const FourierBootstrapKey& bsk, std::span<const std::span<const Torus>> switched,
                        std::span<const LookupTable* const> tables, std::span<Torus> accs,
                        std::span<std::byte> scratch);

}  // namespace veil::fhe
