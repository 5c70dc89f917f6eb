#pragma once
// GLWE ciphertexts over Z/2^64[X]/(X^N+1): k mask polynomials followed by the body.
#include <span>
#include <vector>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

class GlweCiphertext {
 public:
  GlweCiphertext() = default;
  /// Zero-initialised (a trivial encryption of the zero polynomial).
  GlweCiphertext(GlweDimension k, PolynomialSize N) : k_(k), N_(N), data_((k.value + 1) * N.value, 0) {}

  GlweDimension glwe_dimension() const { return k_; }
  PolynomialSize polynomial_size() const { return N_; }
  /// Polynomial i in [0, k]: the masks, then (i == k) the body; N coefficients each.
  std::span<Torus> polynomial(std::size_t i) { return std::span<Torus>(data_).subspan(i * N_.value, N_.value); }
  std::span<const Torus> polynomial(std::size_t i) const {
    return std::span<const Torus>(data_).subspan(i * N_.value, N_.value);
  }
  std::span<Torus> body() { return polynomial(k_.value); }
  std::span<const Torus> body() const { return polynomial(k_.value); }
  std::span<Torus> data() { return data_; }
  std::span<const Torus> data() const { return data_; }

 private:
  GlweDimension k_;
  PolynomialSize N_;
  std::vector<Torus> data_;
};

}  // namespace veil::fhe
