// The simulator's per-PBS misread model: sigma from p_error, the off-centre residual effect,
// and the counter-based draws against their own probabilities (binomial bounds).
#include <gtest/gtest.h>

#include <cmath>

#include "veil/common/error.hpp"
#include "veil/nn/quant/misread_model.hpp"

namespace veil::nn::quant {
namespace {

TEST(MisreadModel, SigmaGivesPErrorAtTheCentre) {
  for (double p : {0.5, 0.05, 1e-3, 1e-6}) {
    const double sigma = misread_sigma(p);
    EXPECT_NEAR(std::erfc(0.5 / (std::sqrt(2.0) * sigma)), p, p * 1e-9) << "p_error " << p;
    EXPECT_NEAR(misread_probability(sigma, 0.0), p, p * 1e-9);
  }
  EXPECT_EQ(misread_sigma(0.0), 0.0);
  EXPECT_THROW(misread_sigma(1.0), InvalidArgument);
  EXPECT_THROW(misread_sigma(-0.1), InvalidArgument);
}

// Known answers computed outside veil (Python's math.erfc with a bisected inverse):
// a 10-bit read under the noise of a 7-bit read at p_error 0.05 / 0.072 / 0.08.
TEST(MisreadModel, PErrorAtOtherBitsKeepsTheNoise) {
  EXPECT_NEAR(p_error_at_bits(0.05, 7, 10), 0.8065, 1e-4);
  EXPECT_NEAR(p_error_at_bits(0.072, 7, 10), 0.8221, 1e-4);
  EXPECT_NEAR(p_error_at_bits(0.08, 7, 10), 0.8268, 1e-4);
  for (double p : {1e-6, 0.05, 0.3}) {
    EXPECT_EQ(p_error_at_bits(p, 7, 7), p);
    EXPECT_NEAR(p_error_at_bits(p_error_at_bits(p, 7, 10), 10, 7), p, p * 1e-9);  // there and back
    // The same sigma in the read's own index units: 2^(bits - 7) times the 7-bit one.
    EXPECT_NEAR(misread_sigma(p_error_at_bits(p, 7, 9)), 4.0 * misread_sigma(p), misread_sigma(p) * 1e-9);
    EXPECT_LT(p_error_at_bits(p, 7, 6), p);  // a coarser read errs less under the same noise
  }
  EXPECT_EQ(p_error_at_bits(0.0, 7, 10), 0.0);
  EXPECT_THROW(p_error_at_bits(1.0, 7, 10), InvalidArgument);
}

TEST(MisreadModel, OffCentreResidualsAreMisreadMoreOften) {
  const double sigma = misread_sigma(0.05);
  EXPECT_GT(misread_probability(sigma, 0.25), 0.05);
  EXPECT_NEAR(misread_probability(sigma, 0.5), 0.5, 0.01);  // on the boundary: a coin flip (+ far side)
  EXPECT_DOUBLE_EQ(misread_probability(sigma, 0.3), misread_probability(sigma, -0.3));
}

TEST(MisreadModel, ResidualEnumeration) {
  for (int shift = 0; shift <= 4; ++shift) {
    const std::int64_t unit = std::int64_t{1} << shift;
    for (std::int64_t acc = -70; acc <= 70; ++acc) {
      const double f = rounding_residual(acc, shift);
      const double k = static_cast<double>(acc) / static_cast<double>(unit) - f;
      EXPECT_EQ(k, std::round(k)) << acc;  // acc / 2^shift - f is the rounded integer
      EXPECT_GE(f, -0.5);
      EXPECT_LT(f, 0.5);
    }
  }
}

TEST(MisreadModel, DrawsMatchTheirProbabilityWithinBinomialBounds) {
  const double sigma = misread_sigma(0.05);
  for (double f : {0.0, 0.3, -0.45}) {
    const int n = 40000;
    int misreads = 0;
    for (int i = 0; i < n; ++i) misreads += draw_misread(sigma, f, 11, 3, static_cast<std::uint64_t>(i)) != 0;
    const double p = misread_probability(sigma, f);
    const double bound = 5.0 * std::sqrt(n * p * (1 - p));  // 5 standard deviations: false alarm < 1e-6
    EXPECT_NEAR(misreads, n * p, bound) << "f=" << f;
  }
}

TEST(MisreadModel, DrawsAreACounterFunction) {
  const double sigma = misread_sigma(0.3);
  for (std::uint64_t pbs = 0; pbs < 100; ++pbs) {
    EXPECT_EQ(draw_misread(sigma, 0.1, 5, 7, pbs), draw_misread(sigma, 0.1, 5, 7, pbs));
  }
  EXPECT_EQ(draw_misread(0.0, 0.49, 5, 7, 1), 0);
  EXPECT_NE(counter_uniform(1, 2, 3, 0), counter_uniform(1, 2, 4, 0));
}

}  // namespace
}  // namespace veil::nn::quant
