#pragma once
// Binary secret keys. Only ClientKey holds them; server code never sees these types. Their bits
// live in SecretBits, zeroed when freed (veil/common/secure_memory.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "veil/common/secure_memory.hpp"
#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// A secret key's coefficients (0 or 1), in memory zeroed when freed.
using SecretBits = SecretVector<Torus>;

/// A uniform binary LWE key of dimension n (values 0 or 1, stored as Torus for fast dot products).
class LweSecretKey {
 public:
  LweSecretKey() = default;
  explicit LweSecretKey(SecretBits bits) : bits_(std::move(bits)) {}
  LweDimension dimension() const { return LweDimension(bits_.size()); }
  std::span<const Torus> bits() const { return bits_; }

 private:
  SecretBits bits_;
};

/// A uniform binary GLWE key: k polynomials of N binary coefficients, polynomial i at
/// [i*N, (i+1)*N). Read as an LWE key of dimension k*N (the "big" key) it is the key of
/// sample-extracted ciphertexts.
class GlweSecretKey {
 public:
  GlweSecretKey() = default;
  GlweSecretKey(GlweDimension k, PolynomialSize N, SecretBits bits) : k_(k), N_(N), bits_(std::move(bits)) {}
  GlweDimension glwe_dimension() const { return k_; }
  PolynomialSize polynomial_size() const { return N_; }
  std::span<const Torus> polynomial(std::size_t i) const {
    return std::span<const Torus>(bits_).subspan(i * N_.value, N_.value);
  }
  /// The flattened key, as the LWE key of dimension k*N.
  std::span<const Torus> flattened_bits() const { return bits_; }

 private:
  GlweDimension k_;
  PolynomialSize N_;
  SecretBits bits_;
};

}  // namespace veil::fhe
