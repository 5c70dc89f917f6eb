// The lattice-estimator security curve for binary keys and q = 2^64 (MATZOV cost model):
// log2 σ ≥ max(a·d + b, −62) on the torus scale, valid for d > 450.
// Source: zama-ai/concrete tools/parameter-curves/concrete-security-curves-rust/src/gaussian/
// curves_gen.rs (lattice-estimator commit 60808bdc), as quoted in docs/parameters.md.
#include <algorithm>
#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

struct CurveCoefficients {
  double slope;
  double intercept;
};

// The curve has no secure σ at or below this dimension.
constexpr std::size_t kMinimumDimensionExclusive = 450;
// σ = 4 in Z/2^64: the floor below which the curve is not extrapolated.
constexpr double kLog2StdDevFloor = -62.0;

CurveCoefficients curve_for(int security_bits) {
  switch (security_bits) {
    case 128: return {-0.025696778711484593, 2.675931372549016};
    case 132: return {-0.024891456582633045, 2.65734593837534};
    default: throw InvalidArgument("security level is " + std::to_string(security_bits) + " bits, expected 128 or 132");
  }
}

}  // namespace

double minimum_secure_std_dev(std::size_t dimension, int security_bits) {
  const CurveCoefficients curve = curve_for(security_bits);
  if (dimension <= kMinimumDimensionExclusive) {
    throw SecurityError("key dimension is " + std::to_string(dimension) + ", expected more than " +
                        std::to_string(kMinimumDimensionExclusive) + " (no secure noise below)");
  }
  const double log2_std_dev = curve.slope * static_cast<double>(dimension) + curve.intercept;
  return std::exp2(std::max(log2_std_dev, kLog2StdDevFloor));
}

}  // namespace veil::fhe
