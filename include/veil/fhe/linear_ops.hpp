#pragma once
// Leveled linear operations on LWE ciphertexts (views of n+1 Torus values). They never
// allocate and wrap modulo 2^64. All of them throw InvalidArgument when sizes disagree.
#include <cstdint>
#include <span>

#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

void lwe_add(LweConstView a, LweConstView b, LweView out);
void lwe_add_inplace(LweView acc, LweConstView b);
void lwe_sub(LweConstView a, LweConstView b, LweView out);
void lwe_sub_inplace(LweView acc, LweConstView b);
void lwe_negate(LweConstView a, LweView out);
void lwe_negate_inplace(LweView acc);
/// out = w * a for a clear integer w.
void lwe_mul_scalar(LweConstView a, std::int64_t w, LweView out);
void lwe_mul_scalar_inplace(LweView acc, std::int64_t w);
/// acc += w * a (the inner step of a convolution).
void lwe_add_scaled_inplace(LweView acc, LweConstView a, std::int64_t w);
/// Adds a clear plaintext (e.g. an encoded bias) to the body.
void lwe_add_plaintext_inplace(LweView acc, Torus plaintext);
/// out = sum_i weights[i] * inputs[i]; every input has out.size() values.
/// Throws InvalidArgument if inputs.size() != weights.size() or a size disagrees.
void lwe_dot_product(std::span<const Torus* const> inputs, std::span<const std::int64_t> weights, LweView out);

}  // namespace veil::fhe
