#pragma once
// Exact reference product in Z/2^64[X]/(X^N+1): schoolbook, O(N^2). Tests compare the
// FFT path against it.
#include <span>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// out = a * b mod (X^N + 1, 2^64); all three of size N; out must not alias a or b.
void negacyclic_multiply_reference(std::span<const Torus> a, std::span<const Torus> b, std::span<Torus> out);

}  // namespace veil::fhe
