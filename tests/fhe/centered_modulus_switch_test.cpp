// The centred modulus switch (ModulusSwitchKind::CenteredMean): its body against a sum done in
// 128-bit integers, and its error against the noise model's V_MS on a random binary key, where the
// standard switch on the same ciphertexts must show twice the mask term.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/modulus_switch.hpp"
#include "veil/fhe/noise_model.hpp"

namespace veil::fhe {
namespace {

/// A ciphertext of uniform values: the mask of a fresh or key-switched LWE looks like this.
std::vector<Torus> uniform_ciphertext(std::size_t n, Csprng& rng) {
  std::vector<Torus> ct(n + 1);
  rng.fill_uniform(ct);
  return ct;
}

/// The body the centred switch must give, with the half sum taken in 128-bit integers.
Torus body_by_wide_sum(const std::vector<Torus>& ct, PolynomialSize N) {
  const int shift = 64 - __builtin_ctzll(2 * N.value);
  __int128 sum = 0;
  for (std::size_t i = 0; i + 1 < ct.size(); ++i) {
    sum += static_cast<std::int64_t>((modulus_switch_value(ct[i], N) << shift) - ct[i]);
  }
  const __int128 half = sum >= 0 ? sum / 2 : -((-sum + 1) / 2);  // floor
  return modulus_switch_value(ct.back() + static_cast<Torus>(half), N);
}

TEST(CenteredModulusSwitch, MaskAsTheStandardSwitchBodyFromTheHalfSum) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(71);
  // 600 values at N = 256 (n > 2N: the signed sum can pass 2^63) and a secure-sized shape.
  for (const auto& [n, size] : {std::pair{600, 256}, std::pair{880, 2048}, std::pair{3, 4096}}) {
    const PolynomialSize N(static_cast<std::size_t>(size));
    for (int trial = 0; trial < 200; ++trial) {
      const std::vector<Torus> ct = uniform_ciphertext(static_cast<std::size_t>(n), rng);
      std::vector<Torus> standard(ct.size()), centred(ct.size());
      modulus_switch(LweConstView(ct.data(), ct.size()), N, standard);
      modulus_switch(LweConstView(ct.data(), ct.size()), N, ModulusSwitchKind::CenteredMean, centred);
      for (std::size_t i = 0; i + 1 < ct.size(); ++i) ASSERT_EQ(centred[i], standard[i]) << "mask value " << i;
      ASSERT_EQ(centred.back(), body_by_wide_sum(ct, N)) << "n = " << n << ", N = " << size;
    }
  }
  // Planted: a body rounded without the correction differs on most ciphertexts.
  const std::vector<Torus> ct = uniform_ciphertext(880, rng);
  std::vector<Torus> centred(ct.size());
  centered_modulus_switch(LweConstView(ct.data(), ct.size()), PolynomialSize(2048), centred);
  EXPECT_NE(centred.back(), modulus_switch_value(ct.back(), PolynomialSize(2048)));
}

TEST(CenteredModulusSwitch, RefusesMismatchedSizes) {
  std::vector<Torus> ct(11), out(10);
  EXPECT_THROW(centered_modulus_switch(LweConstView(ct.data(), ct.size()), PolynomialSize(64), out), InvalidArgument);
  std::vector<Torus> same(11);
  EXPECT_THROW(centered_modulus_switch(LweConstView(ct.data(), ct.size()), PolynomialSize(48), same), InvalidArgument);
}

// Error of the switch = (switched phase) − (exact phase)·2N/q, on a random binary key and
// uniform ciphertexts (the phase is whatever it is: the switch's error does not depend on it).
// Model, one key of weight h: standard (1 + h)/12, centred (1 + n/4)/12, in units of 1/2N;
// noise::modulus_switch_variance gives the same with h = n/2. 10^5 samples: the sample variance's
// relative standard deviation is √(2/10^5) ≈ 0.45 %; 5 of those plus 1 % for the discreteness of
// the rounding errors.
TEST(CenteredModulusSwitch, HalvesTheMaskTermOfTheVarianceAsTheModelSays) {
  constexpr std::size_t kSamples = 100'000;
  const double tolerance = 5 * std::sqrt(2.0 / kSamples) + 0.01;
  Csprng rng = Csprng::from_seed_insecure_for_tests(72);
  for (const auto& [n, size] : {std::pair{880, 2048}, std::pair{600, 256}}) {
    const PolynomialSize N(static_cast<std::size_t>(size));
    const double two_N = 2.0 * size;
    std::vector<Torus> key(static_cast<std::size_t>(n));
    rng.fill_binary(key);
    double weight = 0;
    for (Torus bit : key) weight += static_cast<double>(bit);
    double sum_standard = 0, square_standard = 0, square_centred = 0, sum_centred = 0;
    std::vector<Torus> switched(key.size() + 1);
    for (std::size_t s = 0; s < kSamples; ++s) {
      const std::vector<Torus> ct = uniform_ciphertext(key.size(), rng);
      Torus phase = ct.back();
      for (std::size_t i = 0; i < key.size(); ++i) phase -= ct[i] * key[i];
      const double exact = static_cast<double>(phase) * 0x1p-64 * two_N;
      for (const ModulusSwitchKind kind : {ModulusSwitchKind::Standard, ModulusSwitchKind::CenteredMean}) {
        modulus_switch(LweConstView(ct.data(), ct.size()), N, kind, switched);
        Torus switched_phase = switched.back();
        for (std::size_t i = 0; i < key.size(); ++i) switched_phase -= switched[i] * key[i];
        double error = static_cast<double>(switched_phase & (2 * N.value - 1)) - exact;
        error -= two_N * std::round(error / two_N);
        (kind == ModulusSwitchKind::Standard ? sum_standard : sum_centred) += error;
        (kind == ModulusSwitchKind::Standard ? square_standard : square_centred) += error * error;
      }
    }
    const double samples = static_cast<double>(kSamples);
    const double standard = square_standard / samples;
    const double centred = square_centred / samples;
    const std::string shape = "n = " + std::to_string(n) + ", N = " + std::to_string(size);
    EXPECT_NEAR(standard / ((1 + weight) / 12), 1.0, tolerance) << shape << ", key weight " << weight;
    EXPECT_NEAR(centred / ((1 + n / 4.0) / 12), 1.0, tolerance) << shape;
    // Neither switch is biased: |mean| within 5 standard errors.
    EXPECT_LT(std::abs(sum_standard / samples), 5 * std::sqrt(standard / samples)) << shape;
    EXPECT_LT(std::abs(sum_centred / samples), 5 * std::sqrt(centred / samples)) << shape;
    // The model's V_MS (torus scale, key weight averaged to n/2) for both kinds.
    ParameterSet set;
    set.lwe_dimension = LweDimension(static_cast<std::size_t>(n));
    set.polynomial_size = N;
    set.modulus_switch_kind = ModulusSwitchKind::CenteredMean;
    EXPECT_NEAR(noise::modulus_switch_variance(set) * two_N * two_N / centred, 1.0, tolerance) << shape;
    set.modulus_switch_kind = ModulusSwitchKind::Standard;
    EXPECT_NEAR(noise::modulus_switch_variance(set) * two_N * two_N / ((1 + n / 2.0) / 12), 1.0, 1e-9) << shape;
    RecordProperty("variance ratio standard/centred " + shape, std::to_string(standard / centred));
  }
}

}  // namespace
}  // namespace veil::fhe
