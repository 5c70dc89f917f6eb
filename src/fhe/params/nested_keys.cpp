// The rule under which partitions of different k·N share one GLWE secret, each key the prefix of
// the next larger one (docs/parameters.md, "Nested GLWE keys", has the security argument).
#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {

void require_nested_glwe_keys(std::span<const ParameterSet* const> sets, AllowInsecure allow) {
  std::map<std::size_t, const ParameterSet*> by_dimension;  // k·N -> the first set of that dimension
  for (const ParameterSet* set : sets) {
    const bool toy = set->insecure_for_tests || sets.front()->insecure_for_tests;  // no security level
    if (!toy && set->security_bits != sets.front()->security_bits) {
      throw InvalidArgument("nested GLWE keys: set '" + set->name + "' is of " + std::to_string(set->security_bits) +
                            "-bit security, '" + sets.front()->name + "' of " +
                            std::to_string(sets.front()->security_bits));
    }
    const auto [it, inserted] = by_dimension.emplace(set->big_lwe_dimension().value, set);
    if (!inserted && it->second->glwe_noise.std_dev != set->glwe_noise.std_dev) {
      throw InvalidArgument("nested GLWE keys: sets '" + it->second->name + "' and '" + set->name +
                            "' share the GLWE key of k*N = " + std::to_string(it->first) +
                            " but not its noise (GLWE sigma)");
    }
  }
  const ParameterSet* smaller = nullptr;
  for (const auto& [dimension, set] : by_dimension) {
    const bool toys = set->insecure_for_tests || (smaller && smaller->insecure_for_tests);
    if (smaller && !(toys && allow == AllowInsecure::for_tests)) {
      const std::size_t unshared = dimension - smaller->big_lwe_dimension().value;
      const double minimum = minimum_secure_std_dev(unshared, set->security_bits);
      if (set->glwe_noise.std_dev < minimum) {
        std::ostringstream message;
        message.precision(17);
        message << "nested GLWE keys: set '" << set->name << "' (k*N = " << dimension << ") extends the key of '"
                << smaller->name << "' (k*N = " << smaller->big_lwe_dimension().value << "); its GLWE noise std dev "
                << set->glwe_noise.std_dev << " is below " << minimum << ", the " << set->security_bits
                << "-bit curve for the " << unshared << " coefficients it does not share";
        throw SecurityError(message.str());
      }
    }
    smaller = set;
  }
}

std::size_t widest_glwe_key(std::span<const ParameterSet* const> sets) {
  if (sets.empty()) throw InvalidArgument("widest_glwe_key: no parameter sets");
  std::size_t widest = 0;
  for (std::size_t i = 1; i < sets.size(); ++i) {
    if (sets[i]->big_lwe_dimension().value > sets[widest]->big_lwe_dimension().value) widest = i;
  }
  return widest;
}

const ClientKey& widest_partition_key(std::span<const ClientKey> partitions) {
  std::vector<const ParameterSet*> sets;
  for (const ClientKey& key : partitions) sets.push_back(&key.parameters());
  return partitions[widest_glwe_key(sets)];
}

void require_nested_partition_keys(std::span<const ClientKey> partitions) {
  const ClientKey& widest = widest_partition_key(partitions);
  const std::span<const Torus> shared = widest.glwe_key().flattened_bits();
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const std::span<const Torus> own = partitions[i].glwe_key().flattened_bits();
    if (own.size() > shared.size() || !std::ranges::equal(own, shared.first(own.size()))) {
      throw InvalidArgument("partition " + std::to_string(i) + " ('" + partitions[i].parameters().name +
                            "') has its own GLWE key, not a prefix of the widest partition's ('" +
                            widest.parameters().name + "'; make_partition_client_key makes them nested)");
    }
  }
}

}  // namespace veil::fhe
