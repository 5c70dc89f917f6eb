// The 128-bit security curve and the gate every key generation passes.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

TEST(ParamsSecurityCurve, KnownValues) {
  // docs/parameters.md section 3, given to seven significant digits.
  EXPECT_NEAR(minimum_secure_std_dev(880) / 9.960808e-07, 1.0, 1e-6);
  EXPECT_NEAR(minimum_secure_std_dev(2048) / 9.188173e-16, 1.0, 1e-6);
  EXPECT_EQ(minimum_secure_std_dev(4096), std::exp2(-62));
  EXPECT_EQ(minimum_secure_std_dev(65536), std::exp2(-62));
  EXPECT_NO_THROW(minimum_secure_std_dev(451));
  EXPECT_THROW(minimum_secure_std_dev(450), SecurityError);
  EXPECT_THROW(minimum_secure_std_dev(0), SecurityError);
  EXPECT_THROW(minimum_secure_std_dev(1024, 80), InvalidArgument);
}

TEST(ParamsSecurityCurve, IsDecreasingAnd132BitsNeedsMoreNoise) {
  for (std::size_t d = 460; d < 4096; d += 37) {
    EXPECT_GE(minimum_secure_std_dev(d), minimum_secure_std_dev(d + 1)) << d;
    EXPECT_GE(minimum_secure_std_dev(d, 132), minimum_secure_std_dev(d, 128)) << d;
  }
}

TEST(ParamsSecurityGate, AcceptsEveryVettedSet) {
  for (const ParameterSet* set : all_vetted_parameter_sets()) {
    EXPECT_NO_THROW(require_secure(*set)) << set->name;
  }
}

// Expects SecurityError whose message contains `fragment`.
void expect_refused(const ParameterSet& params, const std::string& fragment, AllowInsecure allow = AllowInsecure::no) {
  try {
    require_secure(params, allow);
    ADD_FAILURE() << "accepted " << params.name;
  } catch (const SecurityError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(ParamsSecurityGate, RefusesTamperedFields) {
  const ParameterSet& vetted = vetted_parameter_set(6, ErrorTarget::loose, 0);  // n = 783
  ParameterSet larger_n = vetted;
  larger_n.lwe_dimension = LweDimension(800);
  expect_refused(larger_n, "lwe_dimension is 800, the vetted set has 783");

  ParameterSet other_base = vetted;
  other_base.pbs_base_log = DecompositionBaseLog(20);
  expect_refused(other_base, "pbs_base_log is 20, the vetted set has 23");

  ParameterSet flagged = vetted;
  flagged.insecure_for_tests = true;
  expect_refused(flagged, "insecure");
  expect_refused(flagged, "insecure_for_tests", AllowInsecure::for_tests);
}

TEST(ParamsSecurityGate, RefusesNoiseBelowTheCurve) {
  const ParameterSet& vetted = vetted_parameter_set(6, ErrorTarget::loose, 0);
  ParameterSet weak_lwe = vetted;
  weak_lwe.lwe_noise.std_dev *= 0.5;
  expect_refused(weak_lwe, "requires at least");

  ParameterSet weak_glwe = vetted;
  weak_glwe.glwe_noise.std_dev *= 0.5;
  expect_refused(weak_glwe, "GLWE");

  // A smaller n keeps the σ of the larger one, which the curve finds too small.
  ParameterSet smaller_n = vetted;
  smaller_n.lwe_dimension = LweDimension(700);
  expect_refused(smaller_n, "dimension 700");
}

TEST(ParamsSecurityGate, RefusesDimensionsWithoutSecureNoise) {
  ParameterSet tiny = vetted_parameter_set(2, ErrorTarget::loose, 0);
  tiny.lwe_dimension = LweDimension(450);
  expect_refused(tiny, "450");
}

TEST(ParamsSecurityGate, RefusesUnknownSets) {
  ParameterSet renamed = vetted_parameter_set(6, ErrorTarget::loose, 0);
  renamed.name = "my_fast_set";
  expect_refused(renamed, "'my_fast_set' is not in the registry");
}

TEST(ParamsSecurityGate, ToySetsNeedTheTestOptIn) {
  const ParameterSet& toy = insecure_toy_parameter_set(4);
  expect_refused(toy, "AllowInsecure::for_tests");
  EXPECT_NO_THROW(require_secure(toy, AllowInsecure::for_tests));
  ParameterSet tampered = toy;
  tampered.polynomial_size = PolynomialSize(256);
  expect_refused(tampered, "polynomial_size", AllowInsecure::for_tests);
  ParameterSet unflagged = toy;
  unflagged.insecure_for_tests = false;
  expect_refused(unflagged, "insecure");
}

}  // namespace
}  // namespace veil::fhe
