// The security gate every key generation passes: a set must be a registry set or a parameter
// optimizer's set, field by field, and its noise must meet the security curve; toy sets need an
// explicit opt-in. The curve half stands alone too (require_on_security_curve).
#include <sstream>
#include <string>

#include "fhe/params/registry.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

template <typename T>
std::string to_text(const T& value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

/// Throws naming the first field where `params` differs from the registry's copy.
class FieldComparison {
 public:
  FieldComparison(const ParameterSet& params, const char* reference) : name_(params.name), reference_(reference) {}

  template <typename T>
  void require_equal(const char* field, const T& actual, const T& vetted) const {
    if (actual == vetted) return;
    throw SecurityError("parameter set '" + name_ + "': " + field + " is " + to_text(actual) + ", the " + reference_ +
                        " has " + to_text(vetted));
  }

 private:
  std::string name_;
  std::string reference_;
};

void require_same_fields(const ParameterSet& params, const ParameterSet& vetted, const char* reference) {
  const FieldComparison compare(params, reference);
  compare.require_equal("source", params.source, vetted.source);
  compare.require_equal("security_bits", params.security_bits, vetted.security_bits);
  compare.require_equal("precision_bits", params.precision_bits, vetted.precision_bits);
  compare.require_equal("log2_norm2", params.log2_norm2, vetted.log2_norm2);
  compare.require_equal("target_p_error", params.target_p_error, vetted.target_p_error);
  compare.require_equal("lwe_dimension", params.lwe_dimension.value, vetted.lwe_dimension.value);
  compare.require_equal("glwe_dimension", params.glwe_dimension.value, vetted.glwe_dimension.value);
  compare.require_equal("polynomial_size", params.polynomial_size.value, vetted.polynomial_size.value);
  compare.require_equal("lwe_noise.std_dev", params.lwe_noise.std_dev, vetted.lwe_noise.std_dev);
  compare.require_equal("glwe_noise.std_dev", params.glwe_noise.std_dev, vetted.glwe_noise.std_dev);
  compare.require_equal("pbs_base_log", params.pbs_base_log.value, vetted.pbs_base_log.value);
  compare.require_equal("pbs_level", params.pbs_level.value, vetted.pbs_level.value);
  compare.require_equal("ks_base_log", params.ks_base_log.value, vetted.ks_base_log.value);
  compare.require_equal("ks_level", params.ks_level.value, vetted.ks_level.value);
  compare.require_equal("insecure_for_tests", params.insecure_for_tests, vetted.insecure_for_tests);
  compare.require_equal("modulus_switch_kind", static_cast<int>(params.modulus_switch_kind),
                        static_cast<int>(vetted.modulus_switch_kind));
}

void require_noise_meets_curve(const ParameterSet& params, const char* key, std::size_t dimension, double std_dev) {
  double minimum = 0;
  try {
    minimum = minimum_secure_std_dev(dimension, params.security_bits);
  } catch (const Error& error) {
    throw SecurityError("parameter set '" + params.name + "', " + key + " key: " + error.what());
  }
  if (std_dev < minimum) {
    throw SecurityError("parameter set '" + params.name + "': " + key + " noise std dev is " + to_text(std_dev) +
                        ", the " + std::to_string(params.security_bits) + "-bit curve requires at least " +
                        to_text(minimum) + " for dimension " + std::to_string(dimension));
  }
}

}  // namespace

void require_secure(const ParameterSet& params, AllowInsecure allow) {
  const ParameterSet* registered = params::registry().find(params.name);
  if (!registered) {
    // An optimizer's set: derived again from the requirement its name spells, then held to the
    // same checks as a vetted set (the curve, and every field equal to the derivation's).
    const OptimizedParameterSet* optimized = nullptr;
    try {
      optimized = optimized_parameter_set_by_name(params.name);
    } catch (const InvalidArgument& e) {
      throw SecurityError("parameter set '" + params.name + "': its requirement has no set: " + e.what());
    }
    if (!optimized) {
      throw SecurityError("parameter set '" + params.name +
                          "' is not in the registry of vetted sets, nor a name the parameter optimizer writes");
    }
    require_on_security_curve(params);
    require_same_fields(params, optimized->set, "set derived again from its name");
    return;
  }
  if (registered->insecure_for_tests || params.insecure_for_tests) {
    if (allow != AllowInsecure::for_tests) {
      throw SecurityError("parameter set '" + params.name +
                          "' is insecure (for tests only); pass AllowInsecure::for_tests to use it");
    }
    require_same_fields(params, *registered, "vetted set");
    return;
  }
  require_on_security_curve(params);
  require_same_fields(params, *registered, "vetted set");
}

void require_on_security_curve(const ParameterSet& params) {
  require_noise_meets_curve(params, "LWE (n)", params.lwe_dimension.value, params.lwe_noise.std_dev);
  require_noise_meets_curve(params, "GLWE (k·N)", params.big_lwe_dimension().value, params.glwe_noise.std_dev);
}

}  // namespace veil::fhe
