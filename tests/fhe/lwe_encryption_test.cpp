// Encrypt/decrypt every message of every precision, signed and unsigned, under both keys.
#include <gtest/gtest.h>

#include <cmath>

#include "engine_test_keys.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::fhe {
namespace {

using testing::describe;
using testing::engine_keys;

TEST(Encoding, RoundTripsEveryCodeAndRejectsOutOfRange) {
  for (int p = 1; p <= 8; ++p) {
    const std::int64_t span = std::int64_t{1} << p;
    for (std::int64_t m = 0; m < span; ++m) {
      EXPECT_EQ(decode_message(encode_message(m, p, Signedness::unsigned_code), p, Signedness::unsigned_code), m);
      const std::int64_t s = m - span / 2;
      EXPECT_EQ(decode_message(encode_message(s, p, Signedness::twos_complement), p, Signedness::twos_complement), s);
    }
    EXPECT_THROW(encode_message(span, p, Signedness::unsigned_code), InvalidArgument) << "p=" << p;
    EXPECT_THROW(encode_message(-1, p, Signedness::unsigned_code), InvalidArgument) << "p=" << p;
    EXPECT_THROW(encode_message(span / 2, p, Signedness::twos_complement), InvalidArgument) << "p=" << p;
  }
  EXPECT_THROW(delta_for_precision(0), InvalidArgument);
}

TEST(Encoding, DecodeRoundsToTheNearestMultipleOfDelta) {
  const int p = 4;
  const Torus delta = delta_for_precision(p);
  EXPECT_EQ(decode_message(3 * delta + delta / 2 - 1, p, Signedness::unsigned_code), 3);
  EXPECT_EQ(decode_message(3 * delta - delta / 2 + 1, p, Signedness::unsigned_code), 3);
  EXPECT_EQ(decode_message(Torus{0} - 1, p, Signedness::unsigned_code), 0);
}

TEST(LweEncryption, EveryMessageDecryptsUnderBothKeys) {
  const ParameterSet& params = insecure_toy_parameter_set(4);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(11);
  for (int p = 1; p <= 8; ++p) {
    const std::int64_t span = std::int64_t{1} << p;
    for (LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
      for (std::int64_t m = 0; m < span; ++m) {
        const auto u = make_lwe_encryption(keys.client, kind, encode_message(m, p, Signedness::unsigned_code), rng);
        ASSERT_EQ(decrypt_message(keys.client, u.view(), p, Signedness::unsigned_code), m)
            << "p=" << p << " " << describe(params);
        const std::int64_t s = m - span / 2;
        const auto c = make_lwe_encryption(keys.client, kind, encode_message(s, p, Signedness::twos_complement), rng);
        ASSERT_EQ(decrypt_message(keys.client, c.view(), p, Signedness::twos_complement), s)
            << "p=" << p << " " << describe(params);
      }
    }
  }
}

TEST(LweEncryption, PhaseNoiseHasTheKeysStandardDeviation) {
  // 4000 samples: the sample std dev is within 5% of σ with probability > 1 - 1e-5
  // (relative std error 1/sqrt(2*4000) ≈ 1.1%, so 5% is 4.5 standard errors).
  const ParameterSet& params = insecure_toy_parameter_set(4);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(12);
  constexpr int kSamples = 4000;
  constexpr double kRelativeTolerance = 0.05;
  double sum_sq = 0;
  for (int i = 0; i < kSamples; ++i) {
    const auto ct = make_lwe_encryption(keys.client, LweKeyKind::small, 0, rng);
    const double e = static_cast<double>(static_cast<std::int64_t>(decrypt_phase(keys.client, ct.view())));
    sum_sq += e * e;
  }
  const double measured = std::sqrt(sum_sq / kSamples) * 0x1p-64;
  EXPECT_NEAR(measured / params.lwe_noise.std_dev, 1.0, kRelativeTolerance) << describe(params);
}

TEST(LweEncryption, RejectsCiphertextsOfTheWrongDimension) {
  const auto& keys = engine_keys(insecure_toy_parameter_set(4));
  LweCiphertext wrong(LweDimension(17));
  EXPECT_THROW(decrypt_phase(keys.client, wrong.view()), InvalidArgument);
  Csprng rng = Csprng::from_seed_insecure_for_tests(1);
  EXPECT_THROW(encrypt_lwe(keys.client.small_key().bits(), 0, 1e-10, rng, wrong.view()), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
