// Run-time CPU dispatch: VEIL_CPU's values are checked (unknown names and levels this CPU lacks
// refused, naming the value), the chosen ISA is the one the kernels and the FFT report, and every
// ISA this CPU supports computes what the scalar table computes: bit for bit where the arithmetic
// is integer (decomposition, key switch, multi-dot), within rounding for the FFT and the Fourier
// multiply-accumulate (FMA contraction and the AVX-512 FFT's radix-4 order).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "fhe/cpu/avx2_kernels.hpp"
#include "fhe/cpu/cpu_features.hpp"
#include "fhe/cpu/cpu_kernels.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/common/error.hpp"

namespace veil::fhe::cpu {
namespace {

std::string refusal(const char* requested, CpuIsa supported) {
  try {
    choose_cpu_isa(requested, supported);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(CpuDispatch, VeilCpuCapsTheSupportedLevel) {
  EXPECT_EQ(choose_cpu_isa(nullptr, CpuIsa::avx512), CpuIsa::avx512);
  EXPECT_EQ(choose_cpu_isa("", CpuIsa::avx2), CpuIsa::avx2);
  EXPECT_EQ(choose_cpu_isa("avx2", CpuIsa::avx512), CpuIsa::avx2);
  EXPECT_EQ(choose_cpu_isa("scalar", CpuIsa::avx2), CpuIsa::scalar);
  EXPECT_EQ(choose_cpu_isa("avx512", CpuIsa::avx512), CpuIsa::avx512);
}

TEST(CpuDispatch, RefusesUnknownNamesAndLevelsTheCpuLacks) {
  EXPECT_NE(refusal("sse9", CpuIsa::avx512).find("VEIL_CPU=sse9: expected scalar, avx2 or avx512"), std::string::npos);
  EXPECT_NE(refusal("AVX2", CpuIsa::avx512).find("VEIL_CPU=AVX2"), std::string::npos);
  EXPECT_NE(refusal("avx512", CpuIsa::avx2).find("VEIL_CPU=avx512: this CPU supports at most avx2"), std::string::npos);
  EXPECT_NE(refusal("avx2", CpuIsa::scalar).find("at most scalar"), std::string::npos);
  EXPECT_THROW(cpu_kernels_for(static_cast<CpuIsa>(static_cast<int>(supported_cpu_isa()) + 1)), InvalidArgument);
}

TEST(CpuDispatch, ReportsTheIsaItPicked) {
  const CpuIsa picked = cpu_isa();
  std::cout << "VEIL_CPU=" << (std::getenv("VEIL_CPU") ? std::getenv("VEIL_CPU") : "(unset)") << ", CPU supports "
            << cpu_isa_name(supported_cpu_isa()) << ", kernels run " << cpu_isa_name(picked) << "\n";
  EXPECT_EQ(picked, choose_cpu_isa(std::getenv("VEIL_CPU"), supported_cpu_isa()));
  EXPECT_EQ(cpu_kernels().isa, picked);
  EXPECT_EQ(NegacyclicFft::for_size(PolynomialSize(4096)).isa(), picked);
  EXPECT_EQ(NegacyclicFft::for_size(PolynomialSize(16)).isa(), picked == CpuIsa::avx512 ? CpuIsa::scalar : picked);
}

std::vector<CpuIsa> supported_isas() {
  std::vector<CpuIsa> isas;
  for (int i = 0; i <= static_cast<int>(supported_cpu_isa()); ++i) isas.push_back(static_cast<CpuIsa>(i));
  return isas;
}

TEST(CpuDispatch, IntegerKernelsAgreeBitForBitOnEveryIsa) {
  std::mt19937_64 gen(5);
  const CpuKernels& reference = scalar_kernels();
  for (const CpuIsa isa : supported_isas()) {
    const CpuKernels& kernels = cpu_kernels_for(isa);
    SCOPED_TRACE(std::string(cpu_isa_name(isa)));
    // Decomposition, every vetted level count and one beyond.
    for (const auto& [base_log, levels] : std::vector<std::pair<int, int>>{{23, 1}, {9, 4}, {4, 6}, {6, 8}, {2, 10}}) {
      std::vector<std::uint64_t> in(1000);
      for (auto& v : in) v = gen();
      std::vector<std::int64_t> expected(levels * in.size()), actual(levels * in.size());
      reference.decompose(in.data(), in.size(), expected.data(), base_log, levels);
      kernels.decompose(in.data(), in.size(), actual.data(), base_log, levels);
      ASSERT_EQ(actual, expected) << "base_log " << base_log << ", " << levels << " levels";
    }
    // Key-switch accumulation: groups across the 8-register blocks, widths with masked tails,
    // rows across tiles.
    for (const std::size_t count : {1, 7, 9, 16}) {
      const std::size_t rows = 37, width = 301;
      std::vector<std::uint64_t> key(rows * width);
      for (auto& v : key) v = gen();
      std::vector<std::int8_t> digits(rows * count);
      for (auto& d : digits) d = static_cast<std::int8_t>(static_cast<int>(gen() % 255) - 127);
      std::vector<std::vector<std::uint64_t>> expected(count, std::vector<std::uint64_t>(width)), actual;
      for (auto& e : expected) {
        for (auto& v : e) v = gen();
      }
      actual = expected;
      std::vector<std::uint64_t*> e_ptrs, a_ptrs;
      for (std::size_t g = 0; g < count; ++g) {
        e_ptrs.push_back(expected[g].data());
        a_ptrs.push_back(actual[g].data());
      }
      std::vector<std::int64_t> wide(kKeyswitchTileRows * count);
      reference.keyswitch_accumulate(
          KeyswitchTerms{key.data(), rows, width, digits.data(), count, e_ptrs.data(), wide.data()});
      kernels.keyswitch_accumulate(
          KeyswitchTerms{key.data(), rows, width, digits.data(), count, a_ptrs.data(), wide.data()});
      ASSERT_EQ(actual, expected) << count << " ciphertexts";
    }
    // Multi-dot: several output groups, more terms than one pass, a masked tail.
    const std::size_t terms = 300, outputs = 6, size = 45;
    std::vector<std::vector<std::uint64_t>> inputs(terms, std::vector<std::uint64_t>(size));
    for (auto& x : inputs) {
      for (auto& v : x) v = gen();
    }
    std::vector<const std::uint64_t*> in_ptrs;
    for (const auto& x : inputs) in_ptrs.push_back(x.data());
    std::vector<std::int64_t> weights(outputs * terms);
    for (auto& w : weights) w = static_cast<std::int64_t>(gen());
    std::vector<std::vector<std::uint64_t>> expected(outputs, std::vector<std::uint64_t>(size)), actual = expected;
    std::vector<std::uint64_t*> e_ptrs, a_ptrs;
    for (std::size_t o = 0; o < outputs; ++o) {
      e_ptrs.push_back(expected[o].data());
      a_ptrs.push_back(actual[o].data());
    }
    reference.multi_dot(in_ptrs.data(), terms, weights.data(), e_ptrs.data(), outputs, size);
    kernels.multi_dot(in_ptrs.data(), terms, weights.data(), a_ptrs.data(), outputs, size);
    ASSERT_EQ(actual, expected);
  }
}

// Relative to the largest magnitude: ~2^-53 per stage, with room for 12 stages and contraction.
constexpr double kRoundingRelative = 0x1p-44;

double worst_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double largest = 0, worst = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    largest = std::max(largest, std::abs(a[j]));
    worst = std::max(worst, std::abs(a[j] - b[j]));
  }
  return worst / largest;
}

TEST(CpuDispatch, FloatingPointKernelsAgreeWithinRoundingOnEveryIsa) {
  std::mt19937_64 gen(9);
  const std::size_t n = 4096, half = n / 2, rows = 8;
  const NegacyclicFft::Tables& tables = NegacyclicFft::for_size(PolynomialSize(n)).tables();
  std::vector<std::int64_t> poly(n);
  for (auto& v : poly) v = static_cast<std::int64_t>(gen());
  std::vector<double> a(rows * n), b(rows * n);
  for (auto& v : a) v = static_cast<double>(static_cast<std::int64_t>(gen() >> 40));
  for (auto& v : b) v = static_cast<double>(static_cast<std::int64_t>(gen() >> 40));
  std::vector<double> fourier(n), dot(n);
  scalar_kernels().fft_forward(tables, poly.data(), fourier.data());
  scalar_kernels().fourier_dot(dot.data(), a.data(), n, b.data(), n, rows, 1, half);
  for (const CpuIsa isa : supported_isas()) {
    const CpuKernels& kernels = cpu_kernels_for(isa);
    SCOPED_TRACE(std::string(cpu_isa_name(isa)));
    std::vector<double> f(n), d(n);
    kernels.fft_forward(tables, poly.data(), f.data());
    EXPECT_LE(worst_relative(fourier, f), kRoundingRelative);
    kernels.fourier_dot(d.data(), a.data(), n, b.data(), n, rows, 1, half);
    EXPECT_LE(worst_relative(dot, d), kRoundingRelative);
    // The inverse of the forward transform gives the polynomial back exactly (|values| < 2^63).
    std::vector<std::uint64_t> back(n);
    kernels.fft_backward(tables, f.data(), back.data(), false);
    for (std::size_t j = 0; j < n; ++j) {
      const auto error = static_cast<std::int64_t>(back[j] - static_cast<std::uint64_t>(poly[j]));
      ASSERT_LE(std::abs(static_cast<double>(error)), 0x1p20) << "value " << j;
    }
  }
}

// The Fourier multiply-accumulate of every table against the scalar one at every power of two N
// from 16 (half a multiple of 8) to 2^15, several row counts, 1 to 3 outputs and strides wider
// than N: FMA and the accumulation order differ, so agreement is within rounding.
TEST(CpuDispatch, FourierDotAgreesWithScalarAtEverySize) {
  std::mt19937_64 gen(17);
  for (std::size_t n = 16; n <= 32768; n *= 2) {
    const std::size_t half = n / 2, a_stride = n + 8;
    for (const std::size_t rows : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
      for (const std::size_t outputs : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
        const std::size_t b_stride = outputs * n;  // a GGSW row: the outputs' components side by side
        std::vector<double> a(rows * a_stride), b(rows * b_stride);
        for (auto& v : a) v = static_cast<double>(static_cast<std::int64_t>(gen() >> 40));
        for (auto& v : b) v = static_cast<double>(static_cast<std::int64_t>(gen() >> 40));
        std::vector<double> want(outputs * n);
        scalar_kernels().fourier_dot(want.data(), a.data(), a_stride, b.data(), b_stride, rows, outputs, half);
        for (const CpuIsa isa : supported_isas()) {
          SCOPED_TRACE(std::string(cpu_isa_name(isa)) + " N " + std::to_string(n) + " rows " + std::to_string(rows) +
                       " outputs " + std::to_string(outputs));
          std::vector<double> got(outputs * n, 1.0);  // not zero: the kernel must overwrite out
          cpu_kernels_for(isa).fourier_dot(got.data(), a.data(), a_stride, b.data(), b_stride, rows, outputs, half);
          EXPECT_LE(worst_relative(want, got), kRoundingRelative);
        }
      }
    }
  }
}

// round(x) mod 2^64 computed another way: fmod is exact, and the negative remainders are
// negated as unsigned integers (m + 2^64 would round in double).
std::uint64_t expected_torus(double x) {
  const double m = std::fmod(std::nearbyint(x), 0x1p64);
  return m < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(-m) : static_cast<std::uint64_t>(m);
}

// AVX2 has no 64-bit integer <-> double instructions: the transforms' own conversions must
// round exactly as the casts do, at the edges (ties, +-2^63, multiples of 2^64, 2^100) and on
// random values of every magnitude.
TEST(CpuDispatch, Avx2ConversionsRoundAsTheCasts) {
#if defined(__x86_64__)
  if (supported_cpu_isa() < CpuIsa::avx2) GTEST_SKIP() << "this CPU has no AVX2";
  std::mt19937_64 gen(13);
  std::vector<double> reals = {0.5,
                               1.5,
                               2.5,
                               -0.5,
                               -1.5,
                               -2.5,
                               0x1p52 + 1,
                               0x1p63,
                               -0x1p63,
                               0x1p63 - 1024,
                               0x1p64,
                               -0x1p64,
                               0x1p64 + 0x1p12,
                               0x1p100,
                               -0x1p100 - 0x1p48,
                               3 * 0x1p64 + 0x1p40,
                               123456789.49999,
                               -0.0,
                               1e-300};
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int e = 0; e <= 120; ++e) {
    for (int r = 0; r < 8; ++r) reals.push_back(std::ldexp(unit(gen), e));
  }
  while (reals.size() % 4 != 0) reals.push_back(0.0);
  std::vector<std::uint64_t> torus(reals.size());
  torus_from_doubles_avx2(reals.data(), reals.size(), torus.data());
  for (std::size_t i = 0; i < reals.size(); ++i) ASSERT_EQ(torus[i], expected_torus(reals[i])) << reals[i];

  std::vector<std::int64_t> integers = {0,
                                        1,
                                        -1,
                                        INT64_MIN,
                                        INT64_MAX,
                                        (std::int64_t{1} << 53) + 1,
                                        -(std::int64_t{1} << 53) - 1,
                                        0xFFFF,
                                        -0x10000,
                                        (std::int64_t{1} << 47) - 1};
  for (int r = 0; r < 400; ++r) integers.push_back(static_cast<std::int64_t>(gen() >> (r % 64)) * (r % 2 ? -1 : 1));
  while (integers.size() % 4 != 0) integers.push_back(0);
  std::vector<double> doubles(integers.size());
  doubles_from_int64_avx2(integers.data(), integers.size(), doubles.data());
  for (std::size_t i = 0; i < integers.size(); ++i) {
    ASSERT_EQ(doubles[i], static_cast<double>(integers[i])) << integers[i];
  }
#else
  GTEST_SKIP() << "not an x86-64 build";
#endif
}

}  // namespace
}  // namespace veil::fhe::cpu
