#pragma once
// The inner loop of the linear stages: several outputs that read the same input ciphertexts
// (a convolution's output channels at one position, a linear layer's outputs) are accumulated
// together, so each input slice is loaded once for all of them. On AVX-512, 4 outputs x 32
// values stay in registers across all terms (bound by vpmullq); elsewhere a plain loop.
#include <cstddef>
#include <cstdint>
#include <span>

#include "veil/fhe/dimensions.hpp"

namespace veil::runtime::detail {

/// out[o][d] = sum_t weights[o * terms + t] * inputs[t][d] (mod 2^64) for o < out.size(),
/// d < size, with terms = inputs.size(). Overwrites out.
void multi_dot_product(std::span<const fhe::Torus* const> inputs, const std::int64_t* weights,
                       std::span<fhe::Torus* const> out, std::size_t size);

}  // namespace veil::runtime::detail
