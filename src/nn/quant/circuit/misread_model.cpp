#include "veil/nn/quant/misread_model.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "veil/common/error.hpp"

namespace veil::nn::quant {
namespace {

// erfcinv by bisection on erfc: called once per node, so simplicity beats speed.
double erfcinv(double y) {
  double lo = 0.0, hi = 40.0;  // erfc is decreasing on [0, inf); y < 1 here
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::erfc(mid) > y ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

double misread_sigma(double p_error) {
  if (!(p_error >= 0.0 && p_error < 1.0)) {
    throw InvalidArgument("p_error " + std::to_string(p_error) + ", expected a probability in [0, 1)");
  }
  if (p_error == 0.0) return 0.0;
  return 0.5 / (std::numbers::sqrt2 * erfcinv(p_error));
}

double p_error_at_bits(double p_error, int from_bits, int to_bits) {
  if (!(p_error >= 0.0 && p_error < 1.0)) {
    throw InvalidArgument("p_error " + std::to_string(p_error) + ", expected a probability in [0, 1)");
  }
  if (p_error == 0.0 || from_bits == to_bits) return p_error;
  return std::erfc(std::ldexp(erfcinv(p_error), from_bits - to_bits));
}

double misread_probability(double sigma, double f) {
  if (sigma == 0.0) return 0.0;
  const double d = std::numbers::sqrt2 * sigma;
  return 0.5 * std::erfc((0.5 - f) / d) + 0.5 * std::erfc((0.5 + f) / d);
}

double rounding_residual(std::int64_t acc, int shift) {
  if (shift == 0) return 0.0;
  const std::int64_t unit = std::int64_t{1} << shift;
  const std::int64_t r = acc - ((acc + unit / 2) >> shift) * unit;  // in [-unit/2, unit/2)
  return std::ldexp(static_cast<double>(r), -shift);
}

double counter_uniform(std::uint64_t seed, std::uint64_t image, std::uint64_t pbs, std::uint64_t lane) {
  const std::uint64_t h = mix(mix(mix(mix(seed) ^ image) ^ pbs) ^ lane);
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
}

std::int64_t draw_misread(double sigma, double f, std::uint64_t seed, std::uint64_t image, std::uint64_t pbs) {
  if (sigma == 0.0) return 0;
  // Box-Muller: one standard normal from two counter-based uniforms.
  const double u1 = counter_uniform(seed, image, pbs, 0);
  const double u2 = counter_uniform(seed, image, pbs, 1);
  const double e = sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return static_cast<std::int64_t>(std::floor(f + e + 0.5));
}

}  // namespace veil::nn::quant
