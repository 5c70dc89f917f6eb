// The parameter choice: the chosen set meets the target at every site and no cheaper vetted set
// does (brute force over the registry); the optimizer's set is taken only when cheaper and reads
// back by name; impossible targets, toy sets without permission and
// forced sets that miss the target are refused with messages naming the site.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "compiler/small_network.hpp"
#include "compiler/tiny_circuits.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationMode;

// The worst site p_error of `program`'s sites on `set`, recomputed from the definitions;
// infinity when a table does not fit the set's polynomial.
double worst_p_error(const FheProgram& program, const fhe::ParameterSet& set) {
  const double ratio = fhe::noise::fresh_encryption_variance(set.glwe_noise) / fhe::noise::blind_rotation_variance(set);
  double worst = 0;
  for (const PbsSite& s : program.pbs_sites) {
    if ((std::size_t{2} << s.precision_bits) > set.polynomial_size.value)
      return std::numeric_limits<double>::infinity();
    const double norm2 = std::sqrt(s.input_noise.bootstrap + s.input_noise.fresh * ratio);
    worst = std::max(worst, fhe::noise::pbs_p_error(set, s.precision_bits, norm2));
  }
  return worst;
}

template <typename Error>
std::string message_of(const nn::quant::QuantizedCircuit& circuit, const CompileOptions& options) {
  try {
    compile_program(circuit, options);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

TEST(ParameterChoice, CheapestVettedSetMeetingTheTarget) {
  for (QuantizationMode mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    for (double target : {0.05, 1e-3, std::ldexp(1.0, -40)}) {
      CompileOptions options = testing::uniform();
      options.p_error = target;
      const FheProgram p = compile_program(testing::small_network(mode, 7), options);
      for (const PbsSite& s : p.pbs_sites) EXPECT_LE(s.p_error, target) << p.circuit.node(s.node).name;
      EXPECT_LE(worst_p_error(p, p.params), target);
      const int cost = fhe::parameter_set_cost(p.params);
      for (const fhe::ParameterSet* set : fhe::all_vetted_parameter_sets()) {
        if (worst_p_error(p, *set) > target) continue;
        const int other = fhe::parameter_set_cost(*set);
        EXPECT_TRUE(other > cost || (other == cost && set->name >= p.params.name))
            << set->name << " (cost " << other << ") also meets " << target << " and is not more expensive than "
            << p.params.name << " (cost " << cost << ")";
      }
      std::printf("mode %d, target %g: %s (cost %d), circuit p_error %.3g\n", static_cast<int>(mode), target,
                  p.params.name.c_str(), cost, p.circuit_p_error);
    }
  }
}

TEST(ParameterChoice, OptimizedSetIsTakenOnlyWhenCheaperAndReadsBackByName) {
  for (const auto mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const auto& circuit = testing::small_network(mode, 7);
    CompileOptions vetted_only = testing::uniform();
    vetted_only.optimized_sets = false;
    const FheProgram vetted = compile_program(circuit, vetted_only);
    const FheProgram chosen = compile_program(circuit, testing::uniform());
    const int vetted_cost = fhe::parameter_set_cost(vetted.params);
    const int chosen_cost = fhe::parameter_set_cost(chosen.params);
    EXPECT_LE(chosen_cost, vetted_cost);
    EXPECT_LE(worst_p_error(chosen, chosen.params), 0.05);
    if (chosen.params.name == vetted.params.name) continue;
    // An optimizer's set: strictly cheaper, passes the gate, and its name alone brings it back.
    EXPECT_EQ(chosen.params.name.rfind("opt128_", 0), 0u) << chosen.params.name;
    EXPECT_LT(chosen_cost, vetted_cost);
    EXPECT_NO_THROW(fhe::require_secure(chosen.params));
    const fhe::ParameterSet& again = fhe::parameter_set_by_name(chosen.params.name);
    EXPECT_EQ(again.lwe_dimension.value, chosen.params.lwe_dimension.value);
    EXPECT_EQ(again.pbs_level.value, chosen.params.pbs_level.value);
    CompileOptions named;
    named.parameter_set = chosen.params.name;
    EXPECT_EQ(compile_program(circuit, named).params.name, chosen.params.name);
    std::printf("mode %d: %s (cost %d) instead of %s (cost %d)\n", static_cast<int>(mode), chosen.params.name.c_str(),
                chosen_cost, vetted.params.name.c_str(), vetted_cost);
  }
}

TEST(ParameterChoice, ImpossibleTargetNamesTheWorstSite) {
  CompileOptions options = testing::uniform();
  options.p_error = 1e-300;
  options.optimized_sets = false;  // the optimizer's search space reaches even this target
  const auto& circuit = testing::small_network(QuantizationMode::Improved, 7);
  const std::string message = message_of<InvalidArgument>(circuit, options);
  std::printf("%s\n", message.c_str());
  EXPECT_NE(message.find("PBS site '"), std::string::npos) << message;
  EXPECT_NE(message.find("1e-300"), std::string::npos) << message;
}

TEST(ParameterChoice, ToySetNeedsPermission) {
  CompileOptions options = testing::uniform();
  options.parameter_set = fhe::insecure_toy_parameter_set(4).name;
  const nn::quant::QuantizedCircuit circuit = testing::residual_circuit();  // 4-bit lookups, norm2 <= 26
  EXPECT_THROW(compile_program(circuit, options), SecurityError);
  options.allow = fhe::AllowInsecure::for_tests;
  const FheProgram p = compile_program(circuit, options);
  EXPECT_EQ(p.params.name, options.parameter_set);
  EXPECT_TRUE(p.params.insecure_for_tests);
}

TEST(ParameterChoice, ForcedSetMissingTheTargetIsRefused) {
  const auto& circuit = testing::small_network(QuantizationMode::ReferenceCompatible, 7);
  const FheProgram chosen = compile_program(circuit, testing::uniform());
  // A vetted set that holds every table but misses 0.05 somewhere.
  const fhe::ParameterSet* missing = nullptr;
  for (const fhe::ParameterSet* set : fhe::all_vetted_parameter_sets()) {
    const double worst = worst_p_error(chosen, *set);
    if (std::isfinite(worst) && worst > 0.05) missing = set;
  }
  ASSERT_NE(missing, nullptr);
  CompileOptions options = testing::uniform();
  options.parameter_set = missing->name;
  const std::string message = message_of<InvalidArgument>(circuit, options);
  EXPECT_NE(message.find(missing->name), std::string::npos) << message;
  EXPECT_NE(message.find("PBS site '"), std::string::npos) << message;
  // The chosen set, forced by name, compiles to the same program.
  options.parameter_set = chosen.params.name;
  const FheProgram forced = compile_program(circuit, options);
  EXPECT_EQ(forced.params.name, chosen.params.name);
  EXPECT_EQ(forced.circuit_p_error, chosen.circuit_p_error);
}

TEST(ParameterChoice, BadTargetsAndNamesAreRefused) {
  const auto& circuit = testing::small_network(QuantizationMode::Improved, 7);
  for (double target : {0.0, -0.1, 1.5, std::nan("")}) {
    CompileOptions options = testing::uniform();
    options.p_error = target;
    EXPECT_THROW(compile_program(circuit, options), InvalidArgument) << target;
  }
  CompileOptions options = testing::uniform();
  options.parameter_set = "no_such_set";
  EXPECT_THROW(compile_program(circuit, options), InvalidArgument);
}

}  // namespace
}  // namespace veil::compiler
