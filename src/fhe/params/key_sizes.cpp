#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

std::size_t bootstrap_key_words(const ParameterSet& p) {
  const std::size_t k1 = p.glwe_dimension.value + 1;
  return p.lwe_dimension.value * k1 * p.pbs_level.value * k1 * p.polynomial_size.value;
}

std::size_t keyswitch_key_words(const ParameterSet& p) {
  return p.big_lwe_dimension().value * p.ks_level.value * (p.lwe_dimension.value + 1);
}

std::size_t server_key_bytes(const ParameterSet& p) {
  return bootstrap_key_words(p) * sizeof(double) + keyswitch_key_words(p) * sizeof(Torus);
}

}  // namespace veil::fhe
