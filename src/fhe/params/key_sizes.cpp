#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

std::size_t fourier_bootstrap_key_bytes(const ParameterSet& p) {
  const std::size_t k1 = p.glwe_dimension.value + 1;
  return p.lwe_dimension.value * k1 * p.pbs_level.value * k1 * p.polynomial_size.value * sizeof(double);
}

std::size_t keyswitch_key_bytes(const ParameterSet& p) {
  return p.big_lwe_dimension().value * p.ks_level.value * (p.lwe_dimension.value + 1) * sizeof(Torus);
}

}  // namespace veil::fhe
