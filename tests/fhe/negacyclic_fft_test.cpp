// The FFT negacyclic product against the exact schoolbook reference, and the chosen ISA's kernel
// (cpu_kernels()) against the scalar table's implementation of the same transform, for every N from 16 to 32768.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "fhe/commons/negacyclic_reference.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/csprng.hpp"

namespace veil::fhe {
namespace {

// Product of a uniform torus polynomial by digits |d| <= 2^(base_log-1), as in the external
// product. The double FFT keeps 53 bits, so the result carries an error around
// 2^(64 + base_log - 1 + log2(N)/2 - 53); allow 2^8 times that (a wrong transform is off by ~2^63).
double max_fft_error_log2(int base_log, std::size_t N) {
  return 64.0 + (base_log - 1) + 0.5 * std::log2(static_cast<double>(N)) - 53.0 + 8.0;
}

class NegacyclicFftTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(NegacyclicFftTest, ProductMatchesSchoolbookWithinFftRounding) {
  const std::size_t N = GetParam();
  const int base_log = 23;
  Csprng rng = Csprng::from_seed_insecure_for_tests(N);
  std::vector<Torus> a(N), digits(N), expected(N), actual(N, 0);
  rng.fill_uniform(a);
  for (auto& d : digits)
    d = static_cast<Torus>(static_cast<std::int64_t>(rng.uniform() >> (64 - base_log)) -
                           (std::int64_t{1} << (base_log - 1)));
  negacyclic_multiply_reference(a, digits, expected);

  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  AlignedVector<double> fa(N), fd(N), acc(N, 0.0);
  fft.forward(a.data(), fa.data());
  fft.forward(digits.data(), fd.data());
  for (std::size_t j = 0; j < N / 2; ++j) {
    acc[j] = fa[j] * fd[j] - fa[j + N / 2] * fd[j + N / 2];
    acc[j + N / 2] = fa[j] * fd[j + N / 2] + fa[j + N / 2] * fd[j];
  }
  fft.backward_add(acc.data(), actual.data());
  double worst = 0;
  for (std::size_t j = 0; j < N; ++j) {
    worst = std::max(worst, std::abs(static_cast<double>(static_cast<std::int64_t>(actual[j] - expected[j]))));
  }
  EXPECT_LE(std::log2(worst + 1), max_fft_error_log2(base_log, N)) << "N=" << N << " base_log=" << base_log;
}

TEST_P(NegacyclicFftTest, SmallIntegerRoundTripIsExact) {
  const std::size_t N = GetParam();
  Csprng rng = Csprng::from_seed_insecure_for_tests(7 * N);
  std::vector<Torus> a(N), back(N);
  for (auto& x : a) x = static_cast<Torus>(static_cast<std::int64_t>(rng.uniform() >> 40) - (std::int64_t{1} << 23));
  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  AlignedVector<double> f(N);
  fft.forward(a.data(), f.data());
  fft.backward(f.data(), back.data());
  EXPECT_EQ(a, back) << "N=" << N;
}

TEST_P(NegacyclicFftTest, BinaryProductIsExact) {
  const std::size_t N = GetParam();
  Csprng rng = Csprng::from_seed_insecure_for_tests(13 * N);
  std::vector<Torus> a(N), key(N), expected(N), actual(N);
  rng.fill_uniform(a);
  rng.fill_binary(key);
  negacyclic_multiply_reference(a, key, expected);
  negacyclic_multiply_binary_exact(a.data(), key.data(), actual.data(), PolynomialSize(N));
  EXPECT_EQ(expected, actual) << "N=" << N;
}

// Two double FFTs of the same stages differ by rounding only: relative to the largest
// Fourier magnitude, ~2^-53 per stage; 2^-44 leaves room for 15 stages and FMA contraction.
constexpr double kSimdVsScalarRelative = 0x1p-44;

TEST_P(NegacyclicFftTest, SimdForwardMatchesScalar) {
  const std::size_t N = GetParam();
  Csprng rng = Csprng::from_seed_insecure_for_tests(17 * N);
  std::vector<Torus> a(N);
  rng.fill_uniform(a);
  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  AlignedVector<double> fast(N), scalar(N);
  fft.forward(a.data(), fast.data());
  fft.forward_scalar(reinterpret_cast<const std::int64_t*>(a.data()), scalar.data());
  double largest = 0, worst = 0;
  for (std::size_t j = 0; j < N; ++j) {
    largest = std::max(largest, std::abs(scalar[j]));
    worst = std::max(worst, std::abs(fast[j] - scalar[j]));
  }
  EXPECT_LE(worst, kSimdVsScalarRelative * largest) << "N=" << N << " isa=" << cpu::cpu_isa_name(fft.isa());
}

TEST_P(NegacyclicFftTest, SimdBackwardMatchesScalar) {
  const std::size_t N = GetParam();
  const int base_log = 23;
  Csprng rng = Csprng::from_seed_insecure_for_tests(19 * N);
  std::vector<Torus> a(N), digits(N), fast(N), scalar(N);
  rng.fill_uniform(a);
  for (auto& d : digits)
    d = static_cast<Torus>(static_cast<std::int64_t>(rng.uniform() >> (64 - base_log)) -
                           (std::int64_t{1} << (base_log - 1)));
  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  AlignedVector<double> fa(N), fd(N), product(N), copy(N);
  fft.forward(a.data(), fa.data());
  fft.forward(digits.data(), fd.data());
  for (std::size_t j = 0; j < N / 2; ++j) {
    product[j] = fa[j] * fd[j] - fa[j + N / 2] * fd[j + N / 2];
    product[j + N / 2] = fa[j] * fd[j + N / 2] + fa[j + N / 2] * fd[j];
  }
  copy = product;
  fft.backward(product.data(), fast.data());
  fft.backward_scalar(copy.data(), scalar.data(), false);
  double worst = 0;
  for (std::size_t j = 0; j < N; ++j) {
    worst = std::max(worst, std::abs(static_cast<double>(static_cast<std::int64_t>(fast[j] - scalar[j]))));
  }
  EXPECT_LE(std::log2(worst + 1), max_fft_error_log2(base_log, N)) << "N=" << N;
}

// The fused digits transform equals decompose_slice followed by forward, bit for bit, for the
// vetted sets' shapes (1 to 8 levels, then the fallback above 8) and for wider ones (b*L of 50 to
// 56 kept bits), edge values included.
TEST_P(NegacyclicFftTest, DigitTransformsEqualDecomposeThenForward) {
  const std::size_t N = GetParam();
  Csprng rng = Csprng::from_seed_insecure_for_tests(23 * N);
  std::vector<Torus> a(N);
  rng.fill_uniform(a);
  a[0] = 0;
  a[1] = ~Torus{0};
  a[N - 1] = Torus{1} << 63;
  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  const std::pair<int, int> shapes[] = {{23, 1}, {15, 2}, {11, 3}, {9, 4},  {8, 5},  {4, 6}, {3, 7},
                                        {6, 8},  {2, 10}, {10, 5}, {17, 3}, {13, 4}, {7, 8}};
  for (const auto& [base_log, levels] : shapes) {
    const SignedDecomposer decomposer{DecompositionBaseLog(base_log), DecompositionLevelCount(levels)};
    std::vector<std::int64_t> digits(levels * N), scratch(levels * N);
    decomposer.decompose_slice(a.data(), N, digits.data());
    std::vector<AlignedVector<double>> expected, fused;
    std::vector<double*> outs;
    for (int j = 0; j < levels; ++j) {
      expected.emplace_back(N);
      fused.emplace_back(N);
      fft.forward(digits.data() + j * N, expected.back().data());
    }
    for (auto& f : fused) outs.push_back(f.data());
    fft.forward_digits(a.data(), decomposer, scratch.data(), outs.data());
    for (int j = 0; j < levels; ++j) {
      ASSERT_EQ(fused[j], expected[j]) << "N=" << N << " base_log " << base_log << " level " << j;
    }
  }
}

// X^rotation * a - a from the definition (X^N = -1): the CMUX's difference.
std::vector<Torus> rotated_difference(const std::vector<Torus>& a, std::size_t rotation) {
  const std::size_t N = a.size();
  std::vector<Torus> diff(N);
  for (std::size_t j = 0; j < N; ++j) {
    const std::size_t target = (j + rotation) % (2 * N);
    diff[target % N] = target < N ? a[j] : Torus{0} - a[j];
  }
  for (std::size_t j = 0; j < N; ++j) diff[j] -= a[j];
  return diff;
}

// Rotations in [0, 2N) at the edges of the wrap (within and across 8-value vectors, either side
// of N), and random ones.
std::vector<std::size_t> test_rotations(std::size_t N, Csprng& rng) {
  std::vector<std::size_t> rotations = {0, 1, 7, 8, 9, N - 1, N, N + 1, N + 7, 2 * N - 1};
  for (int r = 0; r < 6; ++r) rotations.push_back(static_cast<std::size_t>(rng.uniform() % (2 * N)));
  return rotations;
}

std::vector<Torus> torus_polynomial_with_edges(std::size_t N, Csprng& rng) {
  std::vector<Torus> a(N);
  rng.fill_uniform(a);
  a[0] = 0;
  a[1] = ~Torus{0};
  a[N - 1] = Torus{1} << 63;
  return a;
}

struct FourierRows {
  std::vector<AlignedVector<double>> rows;
  std::vector<double*> outs;
  FourierRows(int levels, std::size_t N) : rows(static_cast<std::size_t>(levels), AlignedVector<double>(N)) {
    for (auto& row : rows) outs.push_back(row.data());
  }
};

// The CMUX difference's digit transforms equal those of the written difference, bit for bit,
// through every path: the fused AVX-512 kernel, 10 levels (decomposed first), and the other tables.
TEST_P(NegacyclicFftTest, RotatedDifferenceDigitsEqualThoseOfTheDifference) {
  const std::size_t N = GetParam();
  Csprng rng = Csprng::from_seed_insecure_for_tests(29 * N);
  const std::vector<Torus> a = torus_polynomial_with_edges(N, rng);
  const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
  for (const auto& [base_log, levels] : {std::pair{23, 1}, std::pair{10, 3}, std::pair{6, 8}, std::pair{2, 10}}) {
    const SignedDecomposer decomposer{DecompositionBaseLog(base_log), DecompositionLevelCount(levels)};
    std::vector<std::int64_t> digits(levels * N);
    std::vector<Torus> diff(N);
    for (const std::size_t rotation : test_rotations(N, rng)) {
      FourierRows expected(levels, N), fused(levels, N);
      fft.forward_digits(rotated_difference(a, rotation).data(), decomposer, digits.data(), expected.outs.data());
      fft.forward_rotated_difference_digits(a.data(), rotation, decomposer, digits.data(), diff.data(),
                                            fused.outs.data());
      for (int j = 0; j < levels; ++j) {
        ASSERT_EQ(fused.rows[j], expected.rows[j])
            << "N=" << N << " base_log " << base_log << " level " << j << " rotation " << rotation;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PowersOfTwo, NegacyclicFftTest,
                         ::testing::Values(16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768));

// The AVX-512 kernel itself (whatever VEIL_CPU picks): the fused rotated difference against
// fft_forward_digits of the written difference, for every level count it takes and base logs 2, 5
// and the largest one below 24 with b*L < 64.
TEST(NegacyclicFftKernels, Avx512RotatedDigitsEqualDigitsOfTheDifference) {
  if (cpu::supported_cpu_isa() < cpu::CpuIsa::avx512) GTEST_SKIP() << "this CPU has no AVX-512";
  const cpu::CpuKernels& kernels = cpu::cpu_kernels_for(cpu::CpuIsa::avx512);
  for (const std::size_t N : {32, 64, 512, 2048}) {
    Csprng rng = Csprng::from_seed_insecure_for_tests(31 * N);
    const std::vector<Torus> a = torus_polynomial_with_edges(N, rng);
    const NegacyclicFft::Tables& tables = NegacyclicFft::for_size(PolynomialSize(N)).tables();
    for (int levels = 1; levels <= cpu::kMaxDigitLevels; ++levels) {
      for (const int base_log : {2, 5, std::min(23, 63 / levels)}) {
        for (const std::size_t rotation : test_rotations(N, rng)) {
          FourierRows expected(levels, N), fused(levels, N);
          kernels.fft_forward_digits(tables, rotated_difference(a, rotation).data(), base_log, levels,
                                     expected.outs.data());
          kernels.fft_forward_rotated_digits(tables, a.data(), rotation, base_log, levels, fused.outs.data());
          for (int j = 0; j < levels; ++j) {
            ASSERT_EQ(fused.rows[j], expected.rows[j]) << "N=" << N << " base_log " << base_log << " levels " << levels
                                                       << " level " << j << " rotation " << rotation;
          }
        }
      }
    }
  }
}

TEST(NegacyclicFft, RejectsSizesThatAreNotPowersOfTwo) {
  EXPECT_THROW(NegacyclicFft::for_size(PolynomialSize(1000)), InvalidArgument);
  EXPECT_THROW(NegacyclicFft::for_size(PolynomialSize(8)), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
