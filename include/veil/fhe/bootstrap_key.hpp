#pragma once
// The bootstrapping key in the Fourier domain: one GGSW encryption of each bit of the
// small LWE key under the GLWE key, each GLWE polynomial stored as N/2 complex points
// (the negacyclic fold-and-twist transform, see docs/notes/tfhe_engine.md).
#include <cstddef>
#include <span>

#include "veil/fhe/aligned_vector.hpp"
#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// Layout: ggsw t in [0, n) → row r = i*l + j (GLWE component i in [0,k], level j in [0,l),
/// level 0 the most significant) → output component c in [0,k] → N doubles: N/2 real
/// parts then N/2 imaginary parts.
class FourierBootstrapKey {
 public:
  FourierBootstrapKey() = default;
  FourierBootstrapKey(LweDimension n, GlweDimension k, PolynomialSize N, DecompositionBaseLog base_log,
                      DecompositionLevelCount level)
      : n_(n), k_(k), N_(N), base_log_(base_log), level_(level), data_(n.value * ggsw_size(), 0.0) {}

  LweDimension input_lwe_dimension() const { return n_; }
  GlweDimension glwe_dimension() const { return k_; }
  PolynomialSize polynomial_size() const { return N_; }
  DecompositionBaseLog base_log() const { return base_log_; }
  DecompositionLevelCount level_count() const { return level_; }

  /// Doubles in one GGSW: (k+1)*l rows of (k+1) polynomials of N doubles.
  std::size_t ggsw_size() const { return (k_.value + 1) * level_.value * (k_.value + 1) * N_.value; }
  std::span<double> ggsw(std::size_t t) { return std::span<double>(data_).subspan(t * ggsw_size(), ggsw_size()); }
  std::span<const double> ggsw(std::size_t t) const {
    return std::span<const double>(data_).subspan(t * ggsw_size(), ggsw_size());
  }
  std::span<double> data() { return data_; }
  std::span<const double> data() const { return data_; }
  std::size_t size_bytes() const { return data_.size() * sizeof(double); }

 private:
  LweDimension n_;
  GlweDimension k_;
  PolynomialSize N_;
  DecompositionBaseLog base_log_;
  DecompositionLevelCount level_;
  AlignedVector<double> data_;
};

}  // namespace veil::fhe
