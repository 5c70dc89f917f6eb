// The insecure toy sets: small and fast, yet correct with overwhelming probability under the
// noise model, and loudly marked.
#include <gtest/gtest.h>

#include <cmath>

#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

// "Overwhelming" here: a PBS fails less often than 2^-40 after a dot product of 2-norm 4.
const double kToyMaxPError = std::exp2(-40);
constexpr double kToyNorm2 = 4;

TEST(ParamsToySets, AreCorrectUnderTheNoiseModelAndMarked) {
  for (int p = 1; p <= 8; ++p) {
    const ParameterSet& toy = insecure_toy_parameter_set(p);
    SCOPED_TRACE(toy.name);
    EXPECT_EQ(toy.name, "insecure_toy_p" + std::to_string(p));
    EXPECT_TRUE(toy.insecure_for_tests);
    EXPECT_EQ(toy.precision_bits, p);
    EXPECT_GE(toy.lwe_dimension.value, 256u);
    EXPECT_LE(toy.lwe_dimension.value, 500u);
    EXPECT_GE(toy.polynomial_size.value, 512u);
    if (p <= 5) {
      EXPECT_LE(toy.polynomial_size.value, 2048u);
    }
    EXPECT_LE(noise::pbs_p_error(toy, p, kToyNorm2), kToyMaxPError);
    EXPECT_EQ(toy.target_p_error, noise::pbs_p_error(toy, p, std::exp2(toy.log2_norm2)));
  }
}

TEST(ParamsToySets, PolynomialSizeIsTheSmallestThatWorks) {
  // Above the 512 floor, halving N must break the bound: the toys are as fast as they can be.
  for (int p = 1; p <= 8; ++p) {
    ParameterSet halved = insecure_toy_parameter_set(p);
    if (halved.polynomial_size.value == 512) continue;
    halved.polynomial_size = PolynomialSize(halved.polynomial_size.value / 2);
    EXPECT_GT(noise::pbs_p_error(halved, p, kToyNorm2), kToyMaxPError) << halved.name;
  }
}

// The full-size check's toy (scripts/check-full-size.sh): every one of the ~2.9 M lookups of a
// 224 x 224 image, read on at most 6 bits after dot products of 2-norm <= 16, right with
// overwhelming probability; N as small as that allows.
TEST(ParamsToySets, FullSizeToyIsCorrectAtSixBitsAndAsSmallAsItCanBe) {
  const ParameterSet& toy = parameter_set_by_name("insecure_toy_p6_n8_N1024");
  EXPECT_TRUE(toy.insecure_for_tests);
  EXPECT_EQ(toy.lwe_dimension.value, 8u);
  EXPECT_EQ(toy.polynomial_size.value, 1024u);
  constexpr double kFullSizeNorm2 = 16;
  EXPECT_LE(noise::pbs_p_error(toy, 6, kFullSizeNorm2), kToyMaxPError);
  ParameterSet halved = toy;
  halved.polynomial_size = PolynomialSize(512);
  EXPECT_GT(noise::pbs_p_error(halved, 6, kFullSizeNorm2), kToyMaxPError);
}

}  // namespace
}  // namespace veil::fhe
