// The external product with GGSW t of the bootstrapping key multiplies a GLWE message by
// the small-key bit t; the CMUX selects between acc and X^r * acc; sample extraction reads
// one coefficient under the flattened key.
#include <gtest/gtest.h>

#include <vector>

#include "engine_test_keys.hpp"
#include "veil/fhe/external_product.hpp"
#include "veil/fhe/glwe_encryption.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/sample_extraction.hpp"

namespace veil::fhe {
namespace {

using testing::describe;
using testing::engine_keys;

constexpr int kBits = 4;

std::vector<Torus> random_message_polynomial(std::size_t N, Csprng& rng) {
  std::vector<Torus> plain(N);
  for (auto& c : plain)
    c = encode_message(static_cast<std::int64_t>(rng.uniform() % 16), kBits, Signedness::unsigned_code);
  return plain;
}

std::vector<std::int64_t> decode_all(std::span<const Torus> phase) {
  std::vector<std::int64_t> out;
  for (Torus x : phase) out.push_back(decode_message(x, kBits, Signedness::unsigned_code));
  return out;
}

TEST(ExternalProduct, MultipliesByTheKeyBit) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& keys = engine_keys(params);
  const auto& bsk = keys.server.bootstrap_key();
  const std::size_t N = params.polynomial_size.value;
  Csprng rng = Csprng::from_seed_insecure_for_tests(41);
  std::vector<std::byte> scratch(
      external_product_scratch_size(params.glwe_dimension, params.polynomial_size, params.pbs_level));
  std::vector<Torus> phase(N);
  for (std::size_t t = 0; t < 8; ++t) {
    const auto plain = random_message_polynomial(N, rng);
    GlweCiphertext in(params.glwe_dimension, params.polynomial_size),
        out(params.glwe_dimension, params.polynomial_size);
    encrypt_glwe(keys.client.glwe_key(), plain, params.glwe_noise.std_dev, rng, in);
    external_product_add(bsk, t, in.data(), out.data(), scratch);
    decrypt_glwe_phase(keys.client.glwe_key(), out, phase);
    const Torus bit = keys.client.small_key().bits()[t];
    std::vector<Torus> expected_plain(N);
    for (std::size_t j = 0; j < N; ++j) expected_plain[j] = plain[j] * bit;
    ASSERT_EQ(decode_all(phase), decode_all(expected_plain)) << "t=" << t << " bit=" << bit << " " << describe(params);
  }
}

TEST(ExternalProduct, CmuxRotatesOnlyWhenTheBitIsOne) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& keys = engine_keys(params);
  const std::size_t N = params.polynomial_size.value;
  Csprng rng = Csprng::from_seed_insecure_for_tests(42);
  std::vector<std::byte> scratch(cmux_scratch_size(params.glwe_dimension, params.polynomial_size, params.pbs_level));
  std::vector<Torus> phase(N);
  for (std::size_t t = 0; t < 8; ++t) {
    const std::size_t rotation = static_cast<std::size_t>(rng.uniform() % (2 * N));
    const auto plain = random_message_polynomial(N, rng);
    GlweCiphertext acc(params.glwe_dimension, params.polynomial_size);
    encrypt_glwe(keys.client.glwe_key(), plain, params.glwe_noise.std_dev, rng, acc);
    cmux_rotate_inplace(keys.server.bootstrap_key(), t, rotation, acc.data(), scratch);
    decrypt_glwe_phase(keys.client.glwe_key(), acc, phase);
    std::vector<Torus> expected = plain;
    if (keys.client.small_key().bits()[t] == 1) {
      for (std::size_t j = 0; j < N; ++j) {  // X^rotation * plain, X^N = -1
        const std::size_t target = (j + rotation) % (2 * N);
        expected[target % N] = target < N ? plain[j] : Torus{0} - plain[j];
      }
    }
    ASSERT_EQ(decode_all(phase), decode_all(expected))
        << "t=" << t << " rotation=" << rotation << " " << describe(params);
  }
}

// The CMUX transforms the difference X^rotation * acc - acc without writing it: bit for bit the
// external product of the written difference, added to acc, at the edges of the wrap and at
// random rotations.
TEST(ExternalProduct, CmuxIsTheExternalProductOfTheRotatedDifference) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& bsk = engine_keys(params).server.bootstrap_key();
  const std::size_t N = params.polynomial_size.value;
  const std::size_t glwe_size = (params.glwe_dimension.value + 1) * N;
  Csprng rng = Csprng::from_seed_insecure_for_tests(44);
  std::vector<std::byte> cmux_scratch(
      cmux_scratch_size(params.glwe_dimension, params.polynomial_size, params.pbs_level));
  std::vector<std::byte> product_scratch(
      external_product_scratch_size(params.glwe_dimension, params.polynomial_size, params.pbs_level));
  std::vector<std::size_t> rotations = {0, 1, 7, 8, 9, N - 1, N, N + 1, N + 7, 2 * N - 1};
  for (int r = 0; r < 6; ++r) rotations.push_back(static_cast<std::size_t>(rng.uniform() % (2 * N)));
  for (std::size_t t = 0; t < rotations.size(); ++t) {
    const std::size_t rotation = rotations[t];
    std::vector<Torus> acc(glwe_size), diff(glwe_size);
    rng.fill_uniform(acc);
    for (std::size_t p = 0; p < glwe_size; p += N) {
      for (std::size_t j = 0; j < N; ++j) {  // X^rotation * acc, X^N = -1
        const std::size_t target = (j + rotation) % (2 * N);
        diff[p + target % N] = target < N ? acc[p + j] : Torus{0} - acc[p + j];
      }
      for (std::size_t j = 0; j < N; ++j) diff[p + j] -= acc[p + j];
    }
    std::vector<Torus> expected = acc;
    external_product_add(bsk, t, diff, expected, product_scratch);
    cmux_rotate_inplace(bsk, t, rotation, acc, cmux_scratch);
    ASSERT_EQ(acc, expected) << "t=" << t << " rotation=" << rotation << " " << describe(params);
  }
}

TEST(SampleExtraction, EveryCoefficientDecryptsUnderTheFlattenedKey) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& keys = engine_keys(params);
  const std::size_t N = params.polynomial_size.value;
  Csprng rng = Csprng::from_seed_insecure_for_tests(43);
  const auto plain = random_message_polynomial(N, rng);
  GlweCiphertext ct(params.glwe_dimension, params.polynomial_size);
  encrypt_glwe(keys.client.glwe_key(), plain, params.glwe_noise.std_dev, rng, ct);
  LweCiphertext lwe(params.big_lwe_dimension());
  for (std::size_t index = 0; index < N; ++index) {
    extract_sample(ct.data(), params.glwe_dimension, params.polynomial_size, index, lwe.view());
    ASSERT_EQ(decrypt_message(keys.client, lwe.view(), kBits, Signedness::unsigned_code),
              decode_message(plain[index], kBits, Signedness::unsigned_code))
        << "index=" << index << " " << describe(params);
  }
}

}  // namespace
}  // namespace veil::fhe
