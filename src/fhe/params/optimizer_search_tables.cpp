// The optimizer's tables of best decompositions. A decomposition's variance does not depend on
// the requirement, and for the PBS and the key switch it scales with n and with k·N respectively,
// so the best base log per level count is found once per (k, N) and once per n.
#include <cmath>
#include <limits>
#include <mutex>
#include <string>

#include "fhe/params/optimizer_search.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe::params {
namespace {

constexpr std::size_t kMinimumKeyDimensionExclusive = 450;

/// For each level count, the base log (level·base_log <= 63) of least `variance_of(level, base)`;
/// a level is kept only if it lowers the variance of all smaller level counts (a larger level
/// count always costs more, so the others are never chosen).
template <typename VarianceOf>
std::vector<DecompositionChoice> pareto_decompositions(VarianceOf variance_of) {
  std::vector<DecompositionChoice> choices;
  double lowest = std::numeric_limits<double>::infinity();
  for (int level = 1; level <= kMaxDecompositionBits; ++level) {
    DecompositionChoice best{level, 0, std::numeric_limits<double>::infinity()};
    for (int base_log = 1; level * base_log <= kMaxDecompositionBits; ++base_log) {
      const double variance = variance_of(level, base_log);
      if (variance < best.variance) best = {level, base_log, variance};
    }
    if (best.variance < lowest) {
      choices.push_back(best);
      lowest = best.variance;
    }
  }
  return choices;
}

std::vector<DecompositionChoice> keyswitch_choices_for(int n, int security_bits) {
  // A key switch's variance is k·N times that of one input coefficient: price it with k = N = 1.
  ParameterSet candidate;
  candidate.glwe_dimension = GlweDimension(1);
  candidate.polynomial_size = PolynomialSize(1);
  candidate.lwe_dimension = LweDimension(static_cast<std::size_t>(n));
  candidate.lwe_noise.std_dev = minimum_secure_std_dev(static_cast<std::size_t>(n), security_bits);
  return pareto_decompositions([&](int level, int base_log) {
    candidate.ks_level = DecompositionLevelCount(static_cast<std::size_t>(level));
    candidate.ks_base_log = DecompositionBaseLog(static_cast<std::size_t>(base_log));
    return noise::keyswitch_variance(candidate);
  });
}

}  // namespace

std::vector<DecompositionChoice> cmux_choices_for(int k, int log2_N, int security_bits, std::size_t noise_dimension) {
  ParameterSet candidate;
  candidate.glwe_dimension = GlweDimension(static_cast<std::size_t>(k));
  candidate.polynomial_size = PolynomialSize(std::size_t{1} << log2_N);
  if (noise_dimension <= kMinimumKeyDimensionExclusive) return {};
  candidate.glwe_noise.std_dev = minimum_secure_std_dev(noise_dimension, security_bits);
  return pareto_decompositions([&](int level, int base_log) {
    candidate.pbs_level = DecompositionLevelCount(static_cast<std::size_t>(level));
    candidate.pbs_base_log = DecompositionBaseLog(static_cast<std::size_t>(base_log));
    return noise::external_product_variance(candidate);
  });
}

namespace {

SearchTables build_search_tables(int security_bits) {
  SearchTables tables;
  for (int k = kMinGlweDimension; k <= kMaxGlweDimension; ++k) {
    for (int log2_N = kMinLog2PolynomialSize; log2_N <= kMaxLog2PolynomialSize; ++log2_N) {
      tables.cmux.push_back(cmux_choices_for(k, log2_N, security_bits, static_cast<std::size_t>(k) << log2_N));
    }
  }
  for (int n = kMinLweDimension; n <= kMaxLweDimension; ++n) {
    tables.keyswitch.push_back(keyswitch_choices_for(n, security_bits));
  }
  return tables;
}

}  // namespace

const SearchTables& search_tables(int security_bits) {
  static std::once_flag once_128, once_132;
  static SearchTables tables_128, tables_132;
  switch (security_bits) {
    case 128: std::call_once(once_128, [] { tables_128 = build_search_tables(128); }); return tables_128;
    case 132: std::call_once(once_132, [] { tables_132 = build_search_tables(132); }); return tables_132;
    default: throw InvalidArgument("security level is " + std::to_string(security_bits) + " bits, expected 128 or 132");
  }
}

}  // namespace veil::fhe::params
