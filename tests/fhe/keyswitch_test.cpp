// Key switching (big key -> small key) and modulus switching keep the message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "engine_test_keys.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/keyswitch.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/modulus_switch.hpp"

namespace veil::fhe {
namespace {

using testing::describe;
using testing::engine_keys;

TEST(Keyswitch, EveryMessageSurvivesKeySwitching) {
  const ParameterSet& params = insecure_toy_parameter_set(5);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(31);
  const int p = 5;
  LweCiphertext small(params.lwe_dimension);
  for (std::int64_t m = 0; m < (1 << p); ++m) {
    const auto big =
        make_lwe_encryption(keys.client, LweKeyKind::big, encode_message(m, p, Signedness::unsigned_code), rng);
    keyswitch(keys.server.keyswitch_key(), big.view(), small.view());
    ASSERT_EQ(decrypt_message(keys.client, small.view(), p, Signedness::unsigned_code), m)
        << "m=" << m << " " << describe(params);
  }
  EXPECT_THROW(keyswitch(keys.server.keyswitch_key(), small.view(), small.view()), InvalidArgument);
}

TEST(Keyswitch, BatchEqualsOneAtATime) {
  const ParameterSet& params = insecure_toy_parameter_set(5);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(32);
  LweCiphertextArray in(37, params.big_lwe_dimension()), out(37, params.lwe_dimension);
  for (std::size_t i = 0; i < in.size(); ++i) encrypt_lwe(keys.client, LweKeyKind::big, rng.uniform(), rng, in[i]);
  keyswitch_batch(keys.server.keyswitch_key(), in, out, testing::test_thread_pool());
  LweCiphertext single(params.lwe_dimension);
  for (std::size_t i = 0; i < in.size(); ++i) {
    keyswitch(keys.server.keyswitch_key(), in[i], single.view());
    ASSERT_TRUE(std::equal(single.view().begin(), single.view().end(), out[i].begin())) << "ciphertext " << i;
  }
}

// keyswitch_group keeps up to 8 accumulators in registers: full and partial chunks must equal
// the single key switch bit for bit.
TEST(Keyswitch, GroupEqualsOneAtATimeForEveryChunkShape) {
  const ParameterSet& params = insecure_toy_parameter_set(5);
  const auto& keys = engine_keys(params);
  const KeyswitchKey& ksk = keys.server.keyswitch_key();
  Csprng rng = Csprng::from_seed_insecure_for_tests(34);
  for (std::size_t count : {1, 3, 8, 13, 16}) {
    LweCiphertextArray in(count, params.big_lwe_dimension()), out(count, params.lwe_dimension);
    std::vector<LweConstView> in_views;
    std::vector<LweView> out_views;
    for (std::size_t i = 0; i < count; ++i) {
      encrypt_lwe(keys.client, LweKeyKind::big, rng.uniform(), rng, in[i]);
      in_views.push_back(in[i]);
      out_views.push_back(out[i]);
    }
    std::vector<std::byte> scratch(keyswitch_group_scratch_size(ksk, count));
    keyswitch_group(ksk, in_views, out_views, scratch);
    LweCiphertext single(params.lwe_dimension);
    for (std::size_t i = 0; i < count; ++i) {
      keyswitch(ksk, in[i], single.view());
      ASSERT_TRUE(std::equal(single.view().begin(), single.view().end(), out[i].begin()))
          << "group of " << count << ", ciphertext " << i;
    }
  }
}

TEST(ModulusSwitch, RoundsToTheNearestMultipleOfTwoNOverQ) {
  const PolynomialSize N(1024);
  EXPECT_EQ(modulus_switch_value(0, N), 0u);
  EXPECT_EQ(modulus_switch_value(Torus{1} << 52, N), 1u);        // exactly 1 unit of 2^64/2N = 2^53 / 2
  EXPECT_EQ(modulus_switch_value((Torus{1} << 52) - 1, N), 0u);  // just below half a unit
  EXPECT_EQ(modulus_switch_value(~Torus{0}, N), 0u);             // wraps to 2N ≡ 0
  EXPECT_EQ(modulus_switch_value(Torus{3} << 62, N), 1536u);
}

TEST(ModulusSwitch, SwitchedPhaseKeepsTheMessage) {
  // Decrypt modulo 2N with the small key: the switched phase must land in the message's box.
  const ParameterSet& params = insecure_toy_parameter_set(4);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(33);
  const int p = 4;
  const std::size_t two_n = 2 * params.polynomial_size.value;
  const std::size_t box = params.polynomial_size.value >> p;
  std::vector<Torus> switched(params.lwe_dimension.value + 1);
  for (std::int64_t m = 0; m < (1 << p); ++m) {
    const auto ct =
        make_lwe_encryption(keys.client, LweKeyKind::small, encode_message(m, p, Signedness::unsigned_code), rng);
    modulus_switch(ct.view(), params.polynomial_size, switched);
    Torus phase = switched.back();
    for (std::size_t i = 0; i + 1 < switched.size(); ++i) phase -= switched[i] * keys.client.small_key().bits()[i];
    const auto centred = static_cast<std::int64_t>((phase - static_cast<Torus>(m) * box + two_n / 2) % two_n) -
                         static_cast<std::int64_t>(two_n / 2);
    ASSERT_LT(std::abs(centred), static_cast<std::int64_t>(box / 2)) << "m=" << m << " " << describe(params);
  }
}

}  // namespace
}  // namespace veil::fhe
