// Variance formulas of the Gaussian noise model (docs/parameters.md, "Noise model").
// Derived as in zama-ai/concrete backends/concrete-cpu/noise-model/src/gaussian_noise/noise/
// {external_product_glwe,blind_rotate,keyswitch,modulus_switching}.rs; written from the maths.
#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"

namespace veil::fhe::noise {
namespace {

constexpr double kLog2Modulus = 64.0;
// 1/q² for q = 2^64: the terms that come from the discretisation of the torus.
const double kInvModulusSquared = std::exp2(-2.0 * kLog2Modulus);
// Fit of the rounding error of a 53-bit double FFT (Concrete's; log2 of its constant).
constexpr double kLog2FftFitConstant = -2.57722494;
constexpr double kDoubleMantissaBits = 53.0;

void require_valid_variance(double variance, const char* what) {
  if (!std::isfinite(variance) || variance < 0) {
    throw InvalidArgument(std::string(what) + " is " + std::to_string(variance) + ", expected a finite value >= 0");
  }
}

}  // namespace

double fresh_encryption_variance(const NoiseDistribution& noise) { return noise.std_dev * noise.std_dev; }

double squared_norm2(std::span<const std::int64_t> weights) {
  double sum = 0;
  for (std::int64_t w : weights) sum += static_cast<double>(w) * static_cast<double>(w);
  return sum;
}

double linear_combination_variance(std::span<const std::int64_t> weights, double input_variance) {
  require_valid_variance(input_variance, "input variance");
  return squared_norm2(weights) * input_variance;
}

double fft_variance(const ParameterSet& params, PolynomialProduct product) {
  if (product == PolynomialProduct::exact) return 0;
  const double levels = static_cast<double>(params.pbs_level.value);
  const double base_squared = std::exp2(2.0 * static_cast<double>(params.pbs_base_log.value));
  const double N = static_cast<double>(params.polynomial_size.value);
  const double k = static_cast<double>(params.glwe_dimension.value);
  const double lost_bits = kLog2Modulus - kDoubleMantissaBits;
  return std::exp2(kLog2FftFitConstant + 2.0 * lost_bits) * levels * base_squared * N * N * (k + 1) *
         kInvModulusSquared;
}

double external_product_variance(const ParameterSet& params, PolynomialProduct product) {
  const double levels = static_cast<double>(params.pbs_level.value);
  const double base = std::exp2(static_cast<double>(params.pbs_base_log.value));
  const double N = static_cast<double>(params.polynomial_size.value);
  const double k = static_cast<double>(params.glwe_dimension.value);
  const double kN = k * N;
  const double key_variance = fresh_encryption_variance(params.glwe_noise);
  // Noise of the bootstrapping key, multiplied by the decomposed digits (uniform in [-B/2, B/2)).
  const double key_term = levels * (k + 1) * N * (base * base + 2) / 12 * key_variance;
  // Decomposition rounding (what the levels do not cover), multiplied by the binary GLWE key.
  const double rounding_term = (std::pow(base, -2.0 * levels) - kInvModulusSquared) * (1 + kN / 2) / 24 +
                               kN / 32 * kInvModulusSquared + (1 - kN) * (1 - kN) / 64 * kInvModulusSquared;
  return key_term + rounding_term + fft_variance(params, product);
}

double blind_rotation_variance(const ParameterSet& params, PolynomialProduct product) {
  return static_cast<double>(params.lwe_dimension.value) * external_product_variance(params, product);
}

double keyswitch_variance(const ParameterSet& params) {
  const double input_dimension = static_cast<double>(params.big_lwe_dimension().value);
  const double levels = static_cast<double>(params.ks_level.value);
  const double base = std::exp2(static_cast<double>(params.ks_base_log.value));
  const double key_variance = fresh_encryption_variance(params.lwe_noise);
  return input_dimension * (1 / (24 * std::pow(base, 2 * levels)) + kInvModulusSquared / 48 +
                            levels * key_variance * (base * base + 2) / 12);
}

double modulus_switch_variance(const ParameterSet& params) {
  const double n = static_cast<double>(params.lwe_dimension.value);
  const double two_N = 2.0 * static_cast<double>(params.polynomial_size.value);
  // Standard: the n/2 key bits that are set each add a rounding error of variance 1/12. Centred:
  // every bit adds ±r_i/2, n·(1/4)(1/12); the q-scale term keeps Concrete's form in both.
  const double mask_term = params.modulus_switch_kind == ModulusSwitchKind::CenteredMean ? n / 48 : n / 24;
  return (1.0 / 12 + mask_term) / (two_N * two_N) + (n / 48 - 1.0 / 12) * kInvModulusSquared;
}

double pbs_input_variance(const ParameterSet& params, double norm2, PolynomialProduct product) {
  if (!std::isfinite(norm2) || norm2 < 0) {
    throw InvalidArgument("weight 2-norm is " + std::to_string(norm2) + ", expected a finite value >= 0");
  }
  return norm2 * norm2 * blind_rotation_variance(params, product) + keyswitch_variance(params) +
         modulus_switch_variance(params);
}

}  // namespace veil::fhe::noise
