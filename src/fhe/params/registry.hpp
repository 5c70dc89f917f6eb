#pragma once
// Private to src/fhe/params: the registry's storage, built once on first use.
#include <string_view>
#include <vector>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe::params {

struct Registry {
  std::vector<ParameterSet> vetted;  // stable order: v0 sets by precision, target, L; then TFHE-rs
  std::vector<int> vetted_costs;     // parallel to `vetted`
  std::vector<ParameterSet> toys;    // toys[p - 1] is the toy set for p bits

  /// The vetted or toy set called `name`, or nullptr.
  const ParameterSet* find(std::string_view name) const;
};

/// The registry; built thread-safely on the first call, immutable afterwards.
const Registry& registry();

/// Precisions the registry offers vetted v0 sets and toy sets for.
inline constexpr int kMinPrecisionBits = 1;
inline constexpr int kMaxPrecisionBits = 8;
inline constexpr int kMaxLog2Norm2 = 31;

}  // namespace veil::fhe::params
