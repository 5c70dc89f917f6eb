#pragma once
// Private to the parameter optimizer: its search space, the shape it prices, and the tables of
// best decompositions it builds once per security level.
#include <vector>

#include "veil/fhe/parameter_optimizer.hpp"

namespace veil::fhe::params {

// Concrete's v0 search space (compilers/concrete-optimizer/concrete-optimizer/src/
// global_parameters.rs, DEFAUT_DOMAINS), with veil's decomposer limit level·base_log < 64.
inline constexpr int kMinGlweDimension = 1;
inline constexpr int kMaxGlweDimension = 6;
inline constexpr int kMinLog2PolynomialSize = 8;
inline constexpr int kMaxLog2PolynomialSize = 17;
inline constexpr int kMinLweDimension = 512;
inline constexpr int kMaxLweDimension = 2047;
inline constexpr int kMaxDecompositionBits = 63;

/// What the cost models read of a parameter set.
struct PbsShape {
  int k = 0;       // GLWE dimension
  int log2_N = 0;  // log2 of the polynomial size
  int n = 0;       // LWE dimension after the key switch
  int br_l = 0;    // PBS decomposition levels
  int ks_l = 0;    // key-switch decomposition levels
};

double shape_cost(const PbsShape& shape, CostModel model);

/// One decomposition (level count, base log) and the variance it adds: per CMux for the PBS,
/// per input coefficient of the key switch (multiply by k·N).
struct DecompositionChoice {
  int level = 0;
  int base_log = 0;
  double variance = 0;
};

/// For each level count the base log of least variance, keeping only the levels that lower the
/// variance of every smaller level count: cost rises and variance falls along each list.
struct SearchTables {
  /// cmux[(k - kMinGlweDimension) * kLog2SizeCount + log2_N - kMinLog2PolynomialSize]; empty
  /// when k·N <= 450 (no secure σ for the GLWE key).
  std::vector<std::vector<DecompositionChoice>> cmux;
  /// keyswitch[n - kMinLweDimension]: into an LWE key of dimension n.
  std::vector<std::vector<DecompositionChoice>> keyswitch;

  static constexpr int kLog2SizeCount = kMaxLog2PolynomialSize - kMinLog2PolynomialSize + 1;

  const std::vector<DecompositionChoice>& cmux_choices(int k, int log2_N) const {
    return cmux[static_cast<std::size_t>((k - kMinGlweDimension) * kLog2SizeCount + log2_N - kMinLog2PolynomialSize)];
  }
  const std::vector<DecompositionChoice>& keyswitch_choices(int n) const {
    return keyswitch[static_cast<std::size_t>(n - kMinLweDimension)];
  }
};

/// The CMux decompositions of shape (k, N) with the GLWE key's σ at the curve for
/// `noise_dimension` (the tables hold noise_dimension = k·N); empty when it is <= 450.
std::vector<DecompositionChoice> cmux_choices_for(int k, int log2_N, int security_bits, std::size_t noise_dimension);

/// The tables for `security_bits` (128 or 132), built on the first call, immutable afterwards.
const SearchTables& search_tables(int security_bits);

}  // namespace veil::fhe::params
