// Client-key files: the secret bits and key id survive a round trip, ciphertexts made before
// saving decrypt with the reloaded key, and every truncation or byte flip is rejected.
#include <gtest/gtest.h>

#include "fhe/serialize_test_support.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_every_byte_flip_rejected;
using serialize_test::expect_every_truncation_rejected;
using serialize_test::load_error;
using serialize_test::rechecksum;
using serialize_test::saved_bytes;
using serialize_test::toy_keys;

constexpr int kBits = 3;
const auto load = [](std::istream& in) { load_client_key(in, kToyKeys); };

TEST(SerializeClientKey, RoundTripKeepsBitsAndKeyIdAndDecrypts) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  std::istringstream in(saved_bytes([&](std::ostream& out) { save_client_key(client, out); }));
  const ClientKey reloaded = load_client_key(in, kToyKeys);
  EXPECT_EQ(reloaded.parameters().name, client.parameters().name);
  EXPECT_TRUE(std::ranges::equal(reloaded.small_key().bits(), client.small_key().bits()));
  EXPECT_TRUE(std::ranges::equal(reloaded.glwe_key().flattened_bits(), client.glwe_key().flattened_bits()));
  EXPECT_EQ(key_id_of(reloaded), key_id_of(client));

  Csprng rng = Csprng::from_seed_insecure_for_tests(7);
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    for (std::int64_t m = 0; m < (1 << kBits); ++m) {
      const LweCiphertext ct =
          make_lwe_encryption(client, kind, encode_message(m, kBits, Signedness::unsigned_code), rng);
      EXPECT_EQ(decrypt_message(reloaded, ct.view(), kBits, Signedness::unsigned_code), m);
    }
  }
}

TEST(SerializeClientKey, KeyIdsDifferBetweenKeysAndAreStable) {
  const KeyId a = key_id_of(toy_keys(kBits, 1).client);
  EXPECT_EQ(a, key_id_of(toy_keys(kBits, 1).client));
  EXPECT_NE(a, key_id_of(toy_keys(kBits, 2).client));
  EXPECT_EQ(a.hex().size(), 32u);
}

class SerializeClientKeyCorruption : public ::testing::Test {
 protected:
  const ClientKey& client_ = toy_keys(kBits, 1).client;
  const std::string bytes_ = saved_bytes([&](std::ostream& out) { save_client_key(client_, out); });
  // Layout: 20-byte header, parameter record, 16-byte key id, u64 n, n bits, u64 kN, kN bits, checksum.
  const std::size_t small_bits_offset_ =
      bytes_.size() - 32 - client_.glwe_key().flattened_bits().size() - 8 - client_.small_key().bits().size();
};

TEST_F(SerializeClientKeyCorruption, EveryTruncationIsRejected) { expect_every_truncation_rejected(bytes_, load); }

TEST_F(SerializeClientKeyCorruption, EverySingleByteFlipIsRejected) { expect_every_byte_flip_rejected(bytes_, load); }

TEST_F(SerializeClientKeyCorruption, KeyBitsThatAreNotBinaryAreNamed) {
  std::string corrupt = bytes_;
  corrupt[small_bits_offset_ + 5] = 2;
  rechecksum(corrupt);
  EXPECT_NE(load_error(corrupt, load).find("small key coefficient 5 = 2, expected 0 or 1"), std::string::npos);
}

TEST_F(SerializeClientKeyCorruption, KeyIdMustMatchTheKeyMaterial) {
  // A valid-looking file whose bits were changed (checksum recomputed): the stored id gives it away.
  std::string corrupt = bytes_;
  corrupt[small_bits_offset_] = static_cast<char>(corrupt[small_bits_offset_] ^ 1);
  rechecksum(corrupt);
  EXPECT_NE(load_error(corrupt, load).find("does not match the key material"), std::string::npos);
}

TEST_F(SerializeClientKeyCorruption, ServerKeyFileIsNotAClientKey) {
  const std::string server = saved_bytes([&](std::ostream& out) {
    save_server_key(toy_keys(kBits, 1).server.key, toy_keys(kBits, 1).server.key_id, out);
  });
  EXPECT_NE(load_error(server, load).find("expected \"CKEY\""), std::string::npos);
}

}  // namespace
}  // namespace veil::fhe
