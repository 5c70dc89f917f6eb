// Balanced gadget decomposition: recomposition, digit range and rounding, against
// 128-bit integer arithmetic.
#include <gtest/gtest.h>

#include <vector>

#include "veil/common/error.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe {
namespace {

struct Case {
  std::size_t base_log, level;
};

class DecompositionTest : public ::testing::TestWithParam<Case> {};

TEST_P(DecompositionTest, DigitsAreBalancedAndRecomposeToTheRoundedValue) {
  const auto [base_log, level] = GetParam();
  const SignedDecomposer decomposer{DecompositionBaseLog(base_log), DecompositionLevelCount(level)};
  const int dropped = 64 - static_cast<int>(base_log * level);
  const std::int64_t half = std::int64_t{1} << (base_log - 1);
  Csprng rng = Csprng::from_seed_insecure_for_tests(base_log * 100 + level);
  std::vector<std::int64_t> digits(level);
  for (int trial = 0; trial < 20000; ++trial) {
    Torus x = rng.uniform();
    if (trial < 4) x = trial == 0 ? 0 : (trial == 1 ? ~Torus{0} : (Torus{1} << 63) - trial);
    decomposer.decompose(x, digits.data());
    // Expected: x rounded to the nearest multiple of 2^dropped (ties up), mod 2^64.
    const Torus unit = Torus{1} << dropped;
    const Torus low = x & (unit - 1);
    const Torus expected = (x - low) + (low >= unit / 2 ? unit : 0);
    ASSERT_EQ(decomposer.closest_representable(x), expected)
        << "x=" << x << " base_log=" << base_log << " level=" << level;
    ASSERT_EQ(decomposer.recompose(digits), expected) << "x=" << x << " base_log=" << base_log << " level=" << level;
    for (std::size_t j = 0; j < level; ++j) {
      ASSERT_GE(digits[j], -half) << "x=" << x << " level " << j;
      ASSERT_LT(digits[j], half) << "x=" << x << " level " << j;
    }
  }
}

TEST_P(DecompositionTest, SliceEqualsOneValueAtATime) {
  const auto [base_log, level] = GetParam();
  const SignedDecomposer decomposer{DecompositionBaseLog(base_log), DecompositionLevelCount(level)};
  constexpr std::size_t kCount = 1000;  // not a multiple of a vector width
  Csprng rng = Csprng::from_seed_insecure_for_tests(base_log * 1000 + level);
  std::vector<Torus> values(kCount);
  rng.fill_uniform(values);
  values[0] = 0;
  values[1] = ~Torus{0};
  std::vector<std::int64_t> slice(level * kCount), one(level);
  decomposer.decompose_slice(values.data(), kCount, slice.data());
  for (std::size_t c = 0; c < kCount; ++c) {
    decomposer.decompose(values[c], one.data());
    for (std::size_t j = 0; j < level; ++j) ASSERT_EQ(slice[j * kCount + c], one[j]) << "value " << c << " level " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(VettedShapes, DecompositionTest,
                         ::testing::Values(Case{23, 1}, Case{22, 1}, Case{15, 2}, Case{3, 5}, Case{4, 4}, Case{3, 7},
                                           Case{10, 3}, Case{1, 1}, Case{21, 3}, Case{9, 4}, Case{11, 3}, Case{6, 9},
                                           Case{2, 10}));  // 9 and 10 levels: the generic loop

TEST(Decomposition, RejectsDegenerateShapes) {
  EXPECT_THROW(SignedDecomposer(DecompositionBaseLog(0), DecompositionLevelCount(3)), InvalidArgument);
  EXPECT_THROW(SignedDecomposer(DecompositionBaseLog(16), DecompositionLevelCount(4)), InvalidArgument);
  EXPECT_THROW(SignedDecomposer(DecompositionBaseLog(4), DecompositionLevelCount(0)), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
