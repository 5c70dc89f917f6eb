#include "fhe/params/v0_table.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe::params {

ParameterSet v0_row_parameter_set(const V0Row& row) {
  ParameterSet set;
  set.security_bits = 128;
  set.precision_bits = row.precision;
  set.log2_norm2 = row.log2_norm2;
  set.lwe_dimension = LweDimension(static_cast<std::size_t>(row.n));
  set.glwe_dimension = GlweDimension(static_cast<std::size_t>(row.k));
  set.polynomial_size = PolynomialSize(std::size_t{1} << row.log2_N);
  set.lwe_noise.std_dev = minimum_secure_std_dev(set.lwe_dimension.value);
  set.glwe_noise.std_dev = minimum_secure_std_dev(set.big_lwe_dimension().value);
  set.pbs_base_log = DecompositionBaseLog(static_cast<std::size_t>(row.br_b));
  set.pbs_level = DecompositionLevelCount(static_cast<std::size_t>(row.br_l));
  set.ks_base_log = DecompositionBaseLog(static_cast<std::size_t>(row.ks_b));
  set.ks_level = DecompositionLevelCount(static_cast<std::size_t>(row.ks_l));
  return set;
}

}  // namespace veil::fhe::params
