#include "veil/fhe/modulus_switch.hpp"

#include <cstdint>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {
namespace {

void check_sizes(LweConstView in, PolynomialSize N, std::span<Torus> out) {
  if (in.size() != out.size() || in.empty() || N.value < 2 || (N.value & (N.value - 1)) != 0) {
    throw InvalidArgument("modulus_switch: input of " + std::to_string(in.size()) + " values, output of " +
                          std::to_string(out.size()) + ", N = " + std::to_string(N.value) +
                          "; expected equal, nonzero sizes and N a power of two >= 2");
  }
}

}  // namespace

void modulus_switch(LweConstView in, PolynomialSize N, std::span<Torus> out) {
  check_sizes(in, N, out);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = modulus_switch_value(in[i], N);
}

void centered_modulus_switch(LweConstView in, PolynomialSize N, std::span<Torus> out) {
  check_sizes(in, N, out);
  const int shift = 64 - __builtin_ctzll(2 * N.value);
  const std::size_t n = in.size() - 1;
  // floor(Σ r_i / 2) = Σ floor(r_i / 2) + floor(#odd r_i / 2), summed modulo 2^64 (exact there,
  // which is all the body needs) with no wider integer: the CUDA step does the same.
  Torus halves = 0;
  Torus odd = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = modulus_switch_value(in[i], N);
    const auto r = static_cast<std::int64_t>((out[i] << shift) - in[i]);
    halves += static_cast<Torus>(r >> 1);
    odd += static_cast<Torus>(r & 1);
  }
  const Torus half = halves + (odd >> 1);
  out[n] = modulus_switch_value(in[n] + half, N);
}

void modulus_switch(LweConstView in, PolynomialSize N, ModulusSwitchKind kind, std::span<Torus> out) {
  if (kind == ModulusSwitchKind::CenteredMean) {
    centered_modulus_switch(in, N, out);
  } else {
    modulus_switch(in, N, out);
  }
}

}  // namespace veil::fhe
