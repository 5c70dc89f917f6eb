#include "fhe/cpu/backend_checks.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

void check_pbs_batch(std::string_view backend, const ServerKey& key, const LweCiphertextArray& inputs,
                     std::span<const LookupTable* const> tables, const LweCiphertextArray& outputs) {
  const ParameterSet& p = key.parameters();
  const LweDimension big = p.big_lwe_dimension();
  const std::string where = "programmable_bootstrap_batch (" + std::string(backend) + "): ";
  if (inputs.dimension() != big || outputs.dimension() != big || outputs.size() != inputs.size() ||
      (tables.size() != 1 && tables.size() != inputs.size())) {
    throw InvalidArgument(where + std::to_string(inputs.size()) + " inputs of dimension " +
                          std::to_string(inputs.dimension().value) + ", " + std::to_string(outputs.size()) +
                          " outputs of dimension " + std::to_string(outputs.dimension().value) + ", " +
                          std::to_string(tables.size()) + " tables; expected dimension k*N = " +
                          std::to_string(big.value) + " (" + p.name +
                          "), as many outputs as inputs and 1 or one table per input");
  }
  for (const LookupTable* t : tables) {
    if (t == nullptr || t->polynomial_size() != p.polynomial_size) {
      throw InvalidArgument(where + "a table is null or not of N = " + std::to_string(p.polynomial_size.value) +
                            " (" + p.name + ")");
    }
  }
}

void check_keyswitch_batch(std::string_view backend, const KeyswitchKey& key, const LweCiphertextArray& inputs,
                           const LweCiphertextArray& outputs) {
  if (inputs.size() != outputs.size() || inputs.dimension() != key.input_lwe_dimension() ||
      outputs.dimension() != key.output_lwe_dimension()) {
    throw InvalidArgument("keyswitch_batch (" + std::string(backend) + "): " + std::to_string(inputs.size()) +
                          " inputs of dimension " + std::to_string(inputs.dimension().value) + ", " +
                          std::to_string(outputs.size()) + " outputs of dimension " +
                          std::to_string(outputs.dimension().value) + "; expected " +
                          std::to_string(key.input_lwe_dimension().value) + " -> " +
                          std::to_string(key.output_lwe_dimension().value) + " and equal counts");
  }
}

}  // namespace veil::fhe
