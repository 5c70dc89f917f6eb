#pragma once
// The clear test polynomial of a programmable bootstrap: 2^p output torus values laid
// out in boxes of N/2^p coefficients, rotated by half a box so that noise on either side
// of an encoded input reads its own entry.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

class LookupTable {
 public:
  LookupTable() = default;
  LookupTable(int precision_bits, std::vector<Torus> polynomial)
      : precision_bits_(precision_bits), polynomial_(std::move(polynomial)) {}

  /// p: number of input message bits the table is indexed by (2^p entries).
  int precision_bits() const { return precision_bits_; }
  PolynomialSize polynomial_size() const { return PolynomialSize(polynomial_.size()); }
  /// The N coefficients loaded into the accumulator's body.
  std::span<const Torus> polynomial() const { return polynomial_; }

 private:
  int precision_bits_ = 0;
  std::vector<Torus> polynomial_;
};

/// A table whose entry x (the p-bit input code, 0 <= x < 2^p) is the torus value outputs[x]:
/// outputs may sit at any scale, e.g. f(x) * 2^(63 - p_out), so one PBS can change precision.
/// Throws InvalidArgument unless outputs.size() == 2^p, 1 <= p and 2^(p+1) <= N.
LookupTable make_lookup_table(PolynomialSize N, int precision_bits, std::span<const Torus> outputs);

/// Same, with outputs[x] = output(x) for x in [0, 2^p).
LookupTable make_lookup_table(PolynomialSize N, int precision_bits, const std::function<Torus(std::uint64_t)>& output);

}  // namespace veil::fhe
