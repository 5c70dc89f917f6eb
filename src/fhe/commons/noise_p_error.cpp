// Failure probabilities from variances, and the inverse (docs/parameters.md, "Noise model").
#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"

namespace veil::fhe::noise {
namespace {

constexpr int kMaxPrecisionBits = 30;

void require_valid_precision(int precision_bits) {
  if (precision_bits < 1 || precision_bits > kMaxPrecisionBits) {
    throw InvalidArgument("precision is " + std::to_string(precision_bits) + " bits, expected 1.." +
                          std::to_string(kMaxPrecisionBits));
  }
}

void require_valid_variance(double variance) {
  if (!std::isfinite(variance) || variance < 0) {
    throw InvalidArgument("variance is " + std::to_string(variance) + ", expected a finite value >= 0");
  }
}

/// Half-width of a message slot on the torus: t = Δ/2 with Δ = 2^-(p+1) (one padding bit).
double slot_half_width(int precision_bits) { return std::exp2(-(precision_bits + 2)); }

/// Probability that a centred Gaussian of variance `variance` exceeds `bound` in absolute value.
double two_sided_tail(double bound, double variance) {
  if (variance == 0) return 0;
  return std::erfc(bound / std::sqrt(2 * variance));
}

/// x with erfc(x) = y for y in (0, 1), by bisection: erfc is decreasing, and 64 halvings of
/// [0, 30] reach the spacing of doubles there (erfc(30) is below 1e-300).
double inverse_erfc(double y) {
  double low = 0, high = 30;
  for (int i = 0; i < 64; ++i) {
    const double mid = (low + high) / 2;
    (std::erfc(mid) > y ? low : high) = mid;
  }
  return (low + high) / 2;
}

}  // namespace

double p_error_from_variance(int precision_bits, double variance) {
  require_valid_precision(precision_bits);
  require_valid_variance(variance);
  return two_sided_tail(slot_half_width(precision_bits), variance);
}

double pbs_p_error(const ParameterSet& params, int precision_bits, double norm2, PolynomialProduct product) {
  return p_error_from_variance(precision_bits, pbs_input_variance(params, norm2, product));
}

double circuit_p_error(std::span<const double> p_errors) {
  // 1 − Π(1 − p) via log1p/expm1, so that many tiny probabilities do not round to 0.
  double log_success = 0;
  for (double p : p_errors) {
    if (!(p >= 0 && p <= 1)) {
      throw InvalidArgument("PBS failure probability is " + std::to_string(p) + ", expected 0..1");
    }
    log_success += std::log1p(-p);
  }
  return -std::expm1(log_success);
}

WrongReadProbabilities wrong_read_probabilities(int precision_bits, double variance) {
  require_valid_precision(precision_bits);
  require_valid_variance(variance);
  const double t = slot_half_width(precision_bits);
  const double beyond_one = two_sided_tail(t, variance);
  const double beyond_two = two_sided_tail(3 * t, variance);
  const double beyond_three = two_sided_tail(5 * t, variance);
  return {beyond_one - beyond_two, beyond_two - beyond_three};
}

double max_variance(int precision_bits, double target_p_error) {
  require_valid_precision(precision_bits);
  if (!(target_p_error > 0 && target_p_error < 1)) {
    throw InvalidArgument("target p_error is " + std::to_string(target_p_error) + ", expected 0 < p < 1");
  }
  const double bound = slot_half_width(precision_bits) / (std::sqrt(2.0) * inverse_erfc(target_p_error));
  return bound * bound;
}

double max_norm2(const ParameterSet& params, int precision_bits, double target_p_error, PolynomialProduct product) {
  const double allowed_variance = max_variance(precision_bits, target_p_error);
  const double fixed_variance = keyswitch_variance(params) + modulus_switch_variance(params);
  if (allowed_variance <= fixed_variance) return 0;
  return std::sqrt((allowed_variance - fixed_variance) / blind_rotation_variance(params, product));
}

}  // namespace veil::fhe::noise
