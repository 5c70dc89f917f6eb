#pragma once
// The inner loop of the CPU backend's linear_batch: several outputs that read the same input ciphertexts
// (a convolution's output channels at one position, a linear layer's outputs) are accumulated
// together, so each input slice is loaded once for all of them. Runs cpu_kernels()'s multi_dot:
// on AVX-512 4 outputs x 32 values in registers across all terms (multi_dot_avx512.cpp), elsewhere
// a plain loop (portable_kernels.hpp).
#include <cstddef>
#include <cstdint>
#include <span>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe::cpu {

/// out[o][d] = sum_t weights[o * terms + t] * inputs[t][d] (mod 2^64) for o < out.size(),
/// d < size, with terms = inputs.size(). Overwrites out.
void multi_dot_product(std::span<const Torus* const> inputs, const std::int64_t* weights, std::span<Torus* const> out,
                       std::size_t size);

}  // namespace veil::fhe::cpu
