// The parameter optimizer's search (docs/parameters.md, "Parameter optimizer").
//
// The PBS input variance is V = norm2²·n·V_CMux + k·N·v_KS(n) + V_MS(n, N). It is not monotone
// in n: the key-switch term falls as n grows (σ of the LWE key falls along the curve) while the
// other two rise. So n is scanned upwards for each (k, N), and the scan is cut where nothing
// cheaper can follow: V_MS alone rises with n, and every cost model rises with n and with both
// level counts, so once the cheapest decompositions at this n cost more than the best set found,
// no larger n can win; along each list of decompositions (cost up, variance down) the first
// feasible key switch is the cheapest one, and a PBS decomposition that costs more than the best
// ends the list.
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "fhe/params/optimizer_search.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

using params::DecompositionChoice;
using params::PbsShape;

constexpr int kMaxRequirementPrecisionBits = 16;

constexpr const char* kSecurityCurve =
    "lattice-estimator curve for binary keys, q = 2^64, MATZOV model: log2 σ >= max(a·d + b, -62), "
    "d = n or k·N > 450 (zama-ai/concrete tools/parameter-curves/concrete-security-curves-rust, "
    "docs/parameters.md)";
constexpr const char* kNoiseModel =
    "Concrete's Gaussian noise model with the 53-bit double-FFT term, V = norm2²·V_BR + V_KS + V_MS, "
    "p_error = erfc(2^-(p+2)/√(2V)) (veil/fhe/noise_model.hpp, docs/parameters.md)";

struct Candidate {
  PbsShape shape;
  int br_b = 0;
  int ks_b = 0;
  double cost = 0;
  double variance = 0;
};

void require_valid(const PbsRequirement& r) {
  if (r.precision_bits < 1 || r.precision_bits > kMaxRequirementPrecisionBits) {
    throw InvalidArgument("requirement: precision is " + std::to_string(r.precision_bits) + " bits, expected 1.." +
                          std::to_string(kMaxRequirementPrecisionBits));
  }
  if (!std::isfinite(r.norm2) || r.norm2 < 1) {
    throw InvalidArgument("requirement: 2-norm is " + std::to_string(r.norm2) + ", expected a finite value >= 1");
  }
  if (!(r.p_error > 0 && r.p_error < 1)) {
    throw InvalidArgument("requirement: p_error is " + std::to_string(r.p_error) + ", expected 0 < p < 1");
  }
  if (r.security_bits != 128 && r.security_bits != 132) {
    throw InvalidArgument("requirement: security is " + std::to_string(r.security_bits) + " bits, expected 128 or 132");
  }
  const bool free_shape = r.glwe_dimension == 0 && r.log2_polynomial_size == 0;
  const bool fixed_shape = r.glwe_dimension >= params::kMinGlweDimension &&
                           r.glwe_dimension <= params::kMaxGlweDimension &&
                           r.log2_polynomial_size >= params::kMinLog2PolynomialSize &&
                           r.log2_polynomial_size <= params::kMaxLog2PolynomialSize;
  const std::size_t big_dimension = fixed_shape ? std::size_t(r.glwe_dimension) << r.log2_polynomial_size : 0;
  if (r.glwe_noise_dimension != 0 &&
      (!fixed_shape || r.glwe_noise_dimension <= 450 || std::size_t(r.glwe_noise_dimension) >= big_dimension)) {
    throw InvalidArgument("requirement: GLWE noise dimension " + std::to_string(r.glwe_noise_dimension) +
                          " needs a fixed k and N and must lie in (450, k*N)");
  }
  if (!free_shape && !fixed_shape) {
    throw InvalidArgument("requirement: k = " + std::to_string(r.glwe_dimension) +
                          ", log2 N = " + std::to_string(r.log2_polynomial_size) + ", expected both 0 (any) or k in " +
                          std::to_string(params::kMinGlweDimension) + ".." + std::to_string(params::kMaxGlweDimension) +
                          " and log2 N in " + std::to_string(params::kMinLog2PolynomialSize) + ".." +
                          std::to_string(params::kMaxLog2PolynomialSize));
  }
}

/// Variance of the modulus switch for (n, N), through the noise model.
double modulus_switch_variance_at(int n, int log2_N, ModulusSwitchKind kind) {
  ParameterSet candidate;
  candidate.modulus_switch_kind = kind;
  candidate.lwe_dimension = LweDimension(static_cast<std::size_t>(n));
  candidate.polynomial_size = PolynomialSize(std::size_t{1} << log2_N);
  return noise::modulus_switch_variance(candidate);
}

/// Improves `best` with the cheapest feasible set of GLWE shape (k, N).
void search_glwe_shape(int k, int log2_N, const std::vector<DecompositionChoice>& cmux,
                       const params::SearchTables& tables, double norm2_squared, double max_variance,
                       ModulusSwitchKind switch_kind, CostModel model, std::optional<Candidate>& best) {
  if (cmux.empty()) return;
  const double big_dimension = std::ldexp(static_cast<double>(k), log2_N);
  for (int n = params::kMinLweDimension; n <= params::kMaxLweDimension; ++n) {
    const double ms_variance = modulus_switch_variance_at(n, log2_N, switch_kind);
    if (ms_variance > max_variance) return;  // rises with n
    const std::vector<DecompositionChoice>& keyswitch = tables.keyswitch_choices(n);
    const auto cost_of = [&](const DecompositionChoice& br, const DecompositionChoice& ks) {
      return params::shape_cost({k, log2_N, n, br.level, ks.level}, model);
    };
    if (best && cost_of(cmux.front(), keyswitch.front()) > best->cost) return;  // rises with n
    for (const DecompositionChoice& br : cmux) {
      const double br_variance = norm2_squared * n * br.variance;
      if (br_variance + ms_variance > max_variance) continue;
      if (best && cost_of(br, keyswitch.front()) > best->cost) break;
      for (const DecompositionChoice& ks : keyswitch) {
        const double cost = cost_of(br, ks);
        if (best && cost > best->cost) break;
        const double variance = br_variance + ms_variance + big_dimension * ks.variance;
        if (variance > max_variance) continue;
        if (!best || cost < best->cost || variance < best->variance) {
          best = Candidate{{k, log2_N, n, br.level, ks.level}, br.base_log, ks.base_log, cost, variance};
        }
        break;  // the next key switches cost more
      }
    }
  }
}

/// The shortest text that reads back as `value`, so that distinct requirements get distinct names.
std::string exact_number(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

/// "2m40" for 2^-40, else the exact number.
std::string p_error_text(double p_error) {
  int exponent = 0;
  if (std::frexp(p_error, &exponent) == 0.5) return "2m" + std::to_string(1 - exponent);
  return exact_number(p_error);
}

std::string set_name(const PbsRequirement& r, CostModel model) {
  const std::string noise = r.glwe_noise_dimension == 0 ? "" : "_gn" + std::to_string(r.glwe_noise_dimension);
  const std::string centred = r.modulus_switch_kind == ModulusSwitchKind::CenteredMean ? "_cms" : "";
  const std::string shape = r.glwe_dimension == 0
                                ? ""
                                : "_k" + std::to_string(r.glwe_dimension) + "N" +
                                      std::to_string(std::size_t{1} << r.log2_polynomial_size) + noise;
  return "opt" + std::to_string(r.security_bits) + "_p" + std::to_string(r.precision_bits) + "_nrm" +
         exact_number(r.norm2) + "_pe" + p_error_text(r.p_error) + shape + centred + "_" +
         std::string(cost_model_name(model));
}

/// The dimension whose curve sets the GLWE key's σ.
std::size_t glwe_noise_dimension(const PbsRequirement& r, const ParameterSet& set) {
  return r.glwe_noise_dimension == 0 ? set.big_lwe_dimension().value : std::size_t(r.glwe_noise_dimension);
}

ParameterSet make_set(const Candidate& c, const PbsRequirement& r, CostModel model) {
  ParameterSet set;
  set.name = set_name(r, model);
  set.security_bits = r.security_bits;
  set.precision_bits = r.precision_bits;
  // The largest power of two within the requirement's norm, so that the set meets its target at 2^L.
  set.log2_norm2 = static_cast<int>(std::floor(std::log2(r.norm2)));
  set.target_p_error = r.p_error;
  set.lwe_dimension = LweDimension(static_cast<std::size_t>(c.shape.n));
  set.glwe_dimension = GlweDimension(static_cast<std::size_t>(c.shape.k));
  set.polynomial_size = PolynomialSize(std::size_t{1} << c.shape.log2_N);
  set.lwe_noise.std_dev = minimum_secure_std_dev(set.lwe_dimension.value, r.security_bits);
  set.glwe_noise.std_dev = minimum_secure_std_dev(glwe_noise_dimension(r, set), r.security_bits);
  set.pbs_base_log = DecompositionBaseLog(static_cast<std::size_t>(c.br_b));
  set.pbs_level = DecompositionLevelCount(static_cast<std::size_t>(c.shape.br_l));
  set.ks_base_log = DecompositionBaseLog(static_cast<std::size_t>(c.ks_b));
  set.ks_level = DecompositionLevelCount(static_cast<std::size_t>(c.shape.ks_l));
  set.modulus_switch_kind = r.modulus_switch_kind;
  set.source = "veil parameter optimizer: least " + std::string(cost_model_name(model)) +
               " cost for p = " + std::to_string(r.precision_bits) + " bits, norm2 = " + exact_number(r.norm2) +
               ", p_error <= " + exact_number(r.p_error) + (r.glwe_dimension == 0 ? "" : " at the given k and N") +
               "; σ at the " + std::to_string(r.security_bits) + "-bit curve minimum for n and " +
               (r.glwe_noise_dimension == 0 ? std::string("k·N")
                                            : "d = " + std::to_string(r.glwe_noise_dimension) + " (nested GLWE keys)") +
               "; Concrete's noise model (docs/parameters.md)" +
               (r.modulus_switch_kind == ModulusSwitchKind::CenteredMean ? " with the centred modulus switch" : "");
  return set;
}

}  // namespace

OptimizedParameterSet optimize_parameter_set(const PbsRequirement& requirement, CostModel model) {
  require_valid(requirement);
  const params::SearchTables& tables = params::search_tables(requirement.security_bits);
  const double max_variance = noise::max_variance(requirement.precision_bits, requirement.p_error);
  const double norm2_squared = requirement.norm2 * requirement.norm2;
  std::optional<Candidate> best;
  for (int k = params::kMinGlweDimension; k <= params::kMaxGlweDimension; ++k) {
    for (int log2_N = params::kMinLog2PolynomialSize; log2_N <= params::kMaxLog2PolynomialSize; ++log2_N) {
      const bool allowed = requirement.glwe_dimension == 0 ||
                           (k == requirement.glwe_dimension && log2_N == requirement.log2_polynomial_size);
      if (!allowed) continue;
      if (requirement.glwe_noise_dimension == 0) {
        search_glwe_shape(k, log2_N, tables.cmux_choices(k, log2_N), tables, norm2_squared, max_variance,
                          requirement.modulus_switch_kind, model, best);
      } else {
        const std::vector<DecompositionChoice> cmux = params::cmux_choices_for(
            k, log2_N, requirement.security_bits, static_cast<std::size_t>(requirement.glwe_noise_dimension));
        search_glwe_shape(k, log2_N, cmux, tables, norm2_squared, max_variance, requirement.modulus_switch_kind, model,
                          best);
      }
    }
  }
  if (!best) {
    throw InvalidArgument("no parameter set in the search space reads " + std::to_string(requirement.precision_bits) +
                          " bits after a dot product of 2-norm " + exact_number(requirement.norm2) +
                          " with p_error <= " + exact_number(requirement.p_error));
  }
  OptimizedParameterSet result{make_set(*best, requirement, model), {}};
  require_on_security_curve(result.set);
  ParameterDerivation& d = result.derivation;
  d.requirement = requirement;
  d.cost_model = model;
  d.cost = pbs_cost(result.set, model);
  d.p_error = noise::pbs_p_error(result.set, requirement.precision_bits, requirement.norm2);
  d.security_curve = kSecurityCurve;
  d.noise_model = std::string(kNoiseModel) + (requirement.modulus_switch_kind == ModulusSwitchKind::CenteredMean
                                                  ? "; V_MS of the centred modulus switch, (1/12 + n/48)/(2N)^2"
                                                  : "");
  return result;
}

}  // namespace veil::fhe
