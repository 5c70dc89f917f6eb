// The compiler's choice of parameter set: cheapest vetted set that meets a failure target.
#include <string>

#include "fhe/params/registry.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {

const ParameterSet& cheapest_vetted_parameter_set(int precision_bits, double norm2, double target_p_error) {
  if (!(target_p_error > 0 && target_p_error < 1)) {
    throw InvalidArgument("target p_error is " + std::to_string(target_p_error) + ", expected 0 < p < 1");
  }
  const params::Registry& registry = params::registry();
  const ParameterSet* best = nullptr;
  int best_cost = 0;
  for (std::size_t i = 0; i < registry.vetted.size(); ++i) {
    const ParameterSet& set = registry.vetted[i];
    // A set's encoding (Δ = 2^(63-p)) is fixed by its precision, so only exact matches qualify.
    if (set.precision_bits != precision_bits) continue;
    if (noise::pbs_p_error(set, precision_bits, norm2) > target_p_error) continue;
    if (!best || registry.vetted_costs[i] < best_cost) {
      best = &set;
      best_cost = registry.vetted_costs[i];
    }
  }
  if (!best) {
    throw InvalidArgument("no vetted set reads " + std::to_string(precision_bits) + " bits after a dot product of 2-norm " +
                          std::to_string(norm2) + " with p_error <= " + std::to_string(target_p_error));
  }
  return *best;
}

}  // namespace veil::fhe
