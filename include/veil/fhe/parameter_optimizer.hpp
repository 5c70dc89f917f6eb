#pragma once
// veil's own TFHE parameter optimizer (docs/parameters.md, "Parameter optimizer"): for one PBS
// requirement it searches k, N, n and both decompositions, with σ at the minimum the security
// curve allows, under the noise model of noise_model.hpp, for the set that minimises a cost
// model. Run on the v0_last_128 requirements with the Concrete cost model it reproduces that
// table (tests/fhe/params_optimizer_test.cpp). The vetted registry stays the fallback and the
// cross-check; nothing here changes the existing choosers.
// Thread safety: all functions are safe to call concurrently (the search tables are built once).
#include <string>
#include <string_view>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe {

/// What one PBS must achieve: read `precision_bits` message bits (one padding bit, Δ = 2^(63-p))
/// from a dot product of PBS outputs with integer weights of 2-norm `norm2`, failing with
/// probability at most `p_error`, on keys of `security_bits` security (128 or 132).
struct PbsRequirement {
  int precision_bits = 0;
  double norm2 = 1;
  double p_error = 0;
  int security_bits = 128;
  /// Both 0: search every k and N. Both set: only this k and N = 2^log2_polynomial_size (a
  /// partition of a multi-parameter program, whose GLWE key's shape and noise are fixed).
  int glwe_dimension = 0;
  int log2_polynomial_size = 0;
  /// 0: the GLWE key's σ is the curve's minimum for its own k·N. Otherwise (a fixed shape only,
  /// 450 < value < k·N): σ at the curve for this smaller dimension, which a key extending a smaller
  /// partition's key needs (nested keys, docs/parameters.md: value = k·N minus the smaller k·N).
  int glwe_noise_dimension = 0;
  /// The PBS's modulus switch; the centred one (name part "_cms") halves its variance's n-term.
  ModulusSwitchKind modulus_switch_kind = ModulusSwitchKind::Standard;
};

/// How a PBS shape (k, N, n, levels) is priced.
enum class CostModel {
  /// Concrete's v0 objective: FLOP-like counts of the key switch and the blind rotation plus a
  /// 4096-term dot product on the big key, divided by 2^20 (the unit of v0_last_128's cost column).
  concrete_v0,
  /// veil's own: CPU microseconds of one PBS (key switch included) on one core, with constants
  /// fitted on veil's measured external products, key switches and PBS (docs/parameters.md).
  veil_cpu,
};

/// "concrete_v0" or "veil_cpu".
std::string_view cost_model_name(CostModel model);

/// Cost of one PBS on `params` under `model` (reads k, N, n and both level counts only).
double pbs_cost(const ParameterSet& params, CostModel model);

/// Where an optimized set came from: enough to redo the search and to check the set, for key
/// files and statistics.
struct ParameterDerivation {
  PbsRequirement requirement;
  CostModel cost_model = CostModel::concrete_v0;
  double cost = 0;             // pbs_cost(set, cost_model)
  double p_error = 0;          // the noise model's p_error of the set at the requirement
  std::string security_curve;  // which curve set σ (citation)
  std::string noise_model;     // which model checked p_error (citation)
};

struct OptimizedParameterSet {
  ParameterSet set;
  ParameterDerivation derivation;
};

/// The cheapest set under `model` that meets `requirement`: k in 1..6, N in 2^8..2^17, n in
/// 512..2047, any level count and base log with level·base_log < 64 (Concrete's v0 search space),
/// σ of each key at the curve's minimum for its dimension. Ties in cost go to the lower variance.
/// The set is named opt<security>_p<p>_nrm<norm2>_pe<p_error>[_k<k>N<N>[_gn<d>]]_<model>, numbers written
/// exactly (shortest round trip; 2^-x as 2mx), for example opt128_p7_nrm12760_pe0.05_veil_cpu,
/// opt128_p5_nrm12760_pe2m40_concrete_v0 or, with k and N fixed,
/// opt128_p7_nrm93_pe0.05_k1N4096_concrete_v0; its `source` states the derivation in words, and it meets
/// the curve (require_on_security_curve). Throws InvalidArgument for a bad requirement
/// (precision outside 1..16, norm2 < 1 or not finite, p_error outside (0, 1), security other than
/// 128 or 132) or when no set in the search space meets it.
OptimizedParameterSet optimize_parameter_set(const PbsRequirement& requirement, CostModel model);

/// The optimized set a name stands for, derived again from the requirement the name spells
/// (optimize_parameter_set is deterministic) and kept for the life of the process; nullptr when
/// `name` is not one the optimizer writes. Lets keys, specs and model files that name an optimized
/// set be read back and checked field by field (parameter_set_by_name, require_secure). Throws
/// what optimize_parameter_set throws for a requirement no set meets.
const OptimizedParameterSet* optimized_parameter_set_by_name(std::string_view name);

}  // namespace veil::fhe
