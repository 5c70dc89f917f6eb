// Queries on the registry: by precision and target, by name, all sets, toys, costs.
#include <algorithm>
#include <string>
#include <vector>

#include "fhe/params/registry.hpp"
#include "fhe/params/v0_table.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

std::string target_suffix(ErrorTarget target) { return target == ErrorTarget::loose ? "pe0.05" : "pe2m40"; }

void require_registry_precision(int precision_bits) {
  if (precision_bits < params::kMinPrecisionBits || precision_bits > params::kMaxPrecisionBits) {
    throw InvalidArgument("precision is " + std::to_string(precision_bits) + " bits, expected " +
                          std::to_string(params::kMinPrecisionBits) + ".." + std::to_string(params::kMaxPrecisionBits));
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

/// The three registry names closest to `name`, for error messages.
std::string close_matches(std::string_view name) {
  const params::Registry& registry = params::registry();
  std::vector<std::pair<std::size_t, const std::string*>> ranked;
  for (const auto* sets : {&registry.vetted, &registry.toys}) {
    for (const ParameterSet& set : *sets) ranked.emplace_back(edit_distance(name, set.name), &set.name);
  }
  constexpr std::size_t kShown = 3;
  std::partial_sort(ranked.begin(), ranked.begin() + std::min(kShown, ranked.size()), ranked.end());
  std::string list;
  for (std::size_t i = 0; i < std::min(kShown, ranked.size()); ++i) list += (i ? ", " : "") + *ranked[i].second;
  return list;
}

std::size_t vetted_index(const ParameterSet& params) {
  const params::Registry& registry = params::registry();
  for (std::size_t i = 0; i < registry.vetted.size(); ++i) {
    if (&registry.vetted[i] == &params || registry.vetted[i].name == params.name) return i;
  }
  throw InvalidArgument("parameter set '" + params.name + "' is not a vetted set of the registry");
}

}  // namespace

const ParameterSet& vetted_parameter_set(int precision_bits, ErrorTarget target, int log2_norm2) {
  require_registry_precision(precision_bits);
  if (log2_norm2 < 0 || log2_norm2 > params::kMaxLog2Norm2) {
    throw InvalidArgument("log2 of the weight 2-norm is " + std::to_string(log2_norm2) + ", expected 0.." +
                          std::to_string(params::kMaxLog2Norm2));
  }
  const std::string name =
      "v0_128_p" + std::to_string(precision_bits) + "_L" + std::to_string(log2_norm2) + "_" + target_suffix(target);
  if (const ParameterSet* set = params::registry().find(name)) return *set;
  throw InvalidArgument("no vetted set " + name + ": the v0_last_128 table has no solution for " +
                        std::to_string(precision_bits) + " bits (" + target_suffix(target) + ") at log2 norm2 " +
                        std::to_string(log2_norm2) + "; lower the weight norm");
}

const ParameterSet& parameter_set_by_name(std::string_view name) {
  // A crafted file's 1 MiB name took a minute of edit distances to the registry's names.
  if (name.size() > kMaxParameterSetNameBytes) {
    throw InvalidArgument("unknown parameter set: its name has " + std::to_string(name.size()) +
                          " bytes, longer than any set's (at most " + std::to_string(kMaxParameterSetNameBytes) + ")");
  }
  if (const ParameterSet* set = params::registry().find(name)) return *set;
  if (const OptimizedParameterSet* optimized = optimized_parameter_set_by_name(name)) return optimized->set;
  throw InvalidArgument("unknown parameter set '" + std::string(name) + "'; closest: " + close_matches(name));
}

std::vector<const ParameterSet*> all_vetted_parameter_sets() {
  std::vector<const ParameterSet*> sets;
  for (const ParameterSet& set : params::registry().vetted) sets.push_back(&set);
  return sets;
}

const ParameterSet& insecure_toy_parameter_set(int precision_bits) {
  require_registry_precision(precision_bits);
  return params::registry().toys[static_cast<std::size_t>(precision_bits - params::kMinPrecisionBits)];
}

int parameter_set_cost(const ParameterSet& params) {
  // An optimized set is priced by the cost model that reproduces the table's column, rounded the
  // same way, so that vetted and optimized sets compare in one unit.
  if (!params::registry().find(params.name) && optimized_parameter_set_by_name(params.name))
    return static_cast<int>(pbs_cost(params, CostModel::concrete_v0));
  return params::registry().vetted_costs[vetted_index(params)];
}

}  // namespace veil::fhe
