// One parameter set for the whole circuit: the named one, or the cheapest of the vetted sets and
// the parameter optimizer's set on which every PBS site meets the target error probability.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::compiler::detail {
namespace {

// The site furthest above (or least below) its own target.
const PbsSite& worst_site(const std::vector<PbsSite>& sites) {
  const PbsSite* worst = &sites.front();
  for (const PbsSite& s : sites) {
    if (s.p_error / s.target_p_error > worst->p_error / worst->target_p_error) worst = &s;
  }
  return *worst;
}

std::string describe(const nn::quant::QuantizedCircuit& circuit, const PbsSite& site) {
  return "PBS site '" + circuit.node(site.node).name + "' (" + std::to_string(site.precision_bits) + " bits, norm2 " +
         format_significant(site.norm2, 3) + ")";
}

bool holds_every_table(const fhe::ParameterSet& params, const std::vector<PbsSite>& sites) {
  for (const PbsSite& s : sites) {
    if (!holds_table(params, s.precision_bits)) return false;
  }
  return true;
}

fhe::ParameterSet named_set(const nn::quant::QuantizedCircuit& circuit, std::vector<PbsSite>& sites,
                            const CompileOptions& options) {
  const fhe::ParameterSet& set = fhe::parameter_set_by_name(*options.parameter_set);
  fhe::require_secure(set, options.allow);
  for (const PbsSite& s : sites) {
    if (!holds_table(set, s.precision_bits)) {
      throw InvalidArgument("parameter set '" + set.name + "' (N = " + std::to_string(set.polynomial_size.value) +
                            ") cannot hold the table of " + describe(circuit, s) + ": it needs N >= 2^" +
                            std::to_string(s.precision_bits + 1));
    }
  }
  if (sites.empty()) return set;
  evaluate_sites(set, sites);
  const PbsSite& worst = worst_site(sites);
  if (worst.p_error > worst.target_p_error) {
    throw InvalidArgument("parameter set '" + set.name + "': " + describe(circuit, worst) + " has p_error " +
                          format_significant(worst.p_error, 3) + " > target " +
                          format_significant(worst.target_p_error, 3));
  }
  return set;
}

[[noreturn]] void no_set_holds_tables(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites) {
  std::size_t largest_n = 0;
  for (const fhe::ParameterSet* set : fhe::all_vetted_parameter_sets()) {
    largest_n = std::max(largest_n, set->polynomial_size.value);
  }
  const PbsSite* widest = &sites.front();
  for (const PbsSite& s : sites) {
    if (s.precision_bits > widest->precision_bits) widest = &s;
  }
  throw InvalidArgument("no vetted parameter set holds every lookup table: '" + circuit.node(widest->node).name +
                        "' reads " + std::to_string(widest->precision_bits) + " bits and needs N >= 2^" +
                        std::to_string(widest->precision_bits + 1) + " (largest vetted N is " +
                        std::to_string(largest_n) + ")");
}

// Tries a few requirements, each a little above the last, in case a site's norm2 moves with the
// set (its fresh-encryption share does).
constexpr int kOptimizerAttempts = 8;
constexpr double kOptimizerNorm2Step = 1.05;

/// The parameter optimizer's set for the circuit's hardest requirement (its widest lookup, its
/// largest norm2 as read on `reference`), if one exists on which every site meets the target.
std::optional<fhe::ParameterSet> optimized_set(std::vector<PbsSite> sites, const fhe::ParameterSet& reference,
                                               const CompileOptions& options) {
  if (sites.empty() || !(options.p_error > 0 && options.p_error < 1)) return std::nullopt;
  evaluate_sites(reference, sites);
  fhe::PbsRequirement requirement;
  requirement.p_error = options.p_error;
  requirement.norm2 = 1;
  requirement.modulus_switch_kind = kOptimizerModulusSwitch;
  for (const PbsSite& s : sites) {
    requirement.p_error = std::min(requirement.p_error, s.target_p_error);  // one set serves every site
    requirement.precision_bits = std::max(requirement.precision_bits, s.precision_bits);
    requirement.norm2 = std::max(requirement.norm2, std::ceil(s.norm2));
  }
  for (int attempt = 0; attempt < kOptimizerAttempts; ++attempt) {
    fhe::OptimizedParameterSet candidate;
    try {
      candidate = fhe::optimize_parameter_set(requirement, fhe::CostModel::concrete_v0);
    } catch (const InvalidArgument&) {
      return std::nullopt;  // no set in the search space: the vetted choice stands
    }
    if (holds_every_table(candidate.set, sites)) {
      evaluate_sites(candidate.set, sites);
      if (sites_meet_targets(sites)) return candidate.set;
    }
    requirement.norm2 = std::ceil(requirement.norm2 * kOptimizerNorm2Step);
  }
  return std::nullopt;
}

}  // namespace

bool sites_meet_targets(const std::vector<PbsSite>& sites) {
  return std::ranges::all_of(sites, [](const PbsSite& s) { return s.p_error <= s.target_p_error; });
}

double noise_variance(const fhe::ParameterSet& params, const NoiseBound& noise) {
  return noise.bootstrap * fhe::noise::blind_rotation_variance(params) +
         noise.fresh * fhe::noise::fresh_encryption_variance(params.glwe_noise);
}

bool holds_table(const fhe::ParameterSet& params, int precision_bits) {
  return precision_bits >= 1 && precision_bits <= 30 &&
         (std::size_t{2} << precision_bits) <= params.polynomial_size.value;
}

void evaluate_sites(const fhe::ParameterSet& params, std::vector<PbsSite>& sites) {
  for (PbsSite& s : sites) s.partition = 0;
  evaluate_sites(std::vector<fhe::ParameterSet>{params}, sites);
}

void evaluate_sites(const std::vector<fhe::ParameterSet>& partitions, std::vector<PbsSite>& sites) {
  // The client encrypts under the big key with the (shared) GLWE noise; a PBS output has its set's V_BR.
  const fhe::ParameterSet& reference = partitions.front();
  for (PbsSite& s : sites) {
    const fhe::ParameterSet& own = partitions[static_cast<std::size_t>(s.partition)];
    s.norm2 = std::sqrt(noise_variance(reference, s.input_noise) / fhe::noise::blind_rotation_variance(own));
    s.p_error = fhe::noise::pbs_p_error(own, s.precision_bits, s.norm2);
  }
}

double output_p_error(const fhe::ParameterSet& reference, const ValueEncoding& output) {
  // Decoding round(phase / 2^e) errs when |noise| >= 2^(e-1) (torus scale: / 2^64).
  const double variance = noise_variance(reference, output.noise);
  if (variance == 0) return 0;
  return std::erfc(std::ldexp(1.0, output.exponent - 1 - 64) / std::sqrt(2 * variance));
}

fhe::ParameterSet choose_parameter_set(const nn::quant::QuantizedCircuit& circuit, std::vector<PbsSite> sites,
                                       const CompileOptions& options) {
  if (options.parameter_set) return named_set(circuit, sites, options);
  const fhe::ParameterSet* best = nullptr;
  int best_cost = 0;
  const fhe::ParameterSet* closest = nullptr;  // smallest worst-site p_error over target, for the error message
  double closest_ratio = std::numeric_limits<double>::infinity();
  for (const fhe::ParameterSet* set : fhe::all_vetted_parameter_sets()) {
    if (!holds_every_table(*set, sites)) continue;
    evaluate_sites(*set, sites);
    const double worst = sites.empty() ? 0.0 : worst_site(sites).p_error / worst_site(sites).target_p_error;
    if (worst < closest_ratio) {
      closest = set;
      closest_ratio = worst;
    }
    if (!sites_meet_targets(sites)) continue;
    const int cost = fhe::parameter_set_cost(*set);
    if (!best || cost < best_cost || (cost == best_cost && set->name < best->name)) {
      best = set;
      best_cost = cost;
    }
  }
  if (options.optimized_sets && (best || closest)) {
    const std::optional<fhe::ParameterSet> optimized = optimized_set(sites, best ? *best : *closest, options);
    if (optimized && (!best || fhe::parameter_set_cost(*optimized) < best_cost)) return *optimized;
  }
  if (best) return *best;
  if (!closest) no_set_holds_tables(circuit, sites);
  evaluate_sites(*closest, sites);
  const PbsSite& worst = worst_site(sites);
  throw InvalidArgument("no vetted parameter set meets p_error <= " + format_significant(worst.target_p_error, 3) +
                        " at every PBS site: the closest, '" + closest->name + "', reaches p_error " +
                        format_significant(worst.p_error, 3) + " at " + describe(circuit, worst));
}

}  // namespace veil::compiler::detail
