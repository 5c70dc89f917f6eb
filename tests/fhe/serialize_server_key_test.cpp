// Server-key files: a reloaded key is bit-identical and bootstraps correctly; truncations and
// byte flips are rejected (every header byte, a sample of the multi-megabyte payload).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>

#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize_test_support.hpp"
#include "veil/common/little_endian.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_byte_flips_rejected;
using serialize_test::load_error;
using serialize_test::rechecksum;
using serialize_test::saved_bytes;
using serialize_test::toy_keys;
using serialize_test::ToyKeys;

constexpr int kBits = 3;
const auto load = [](std::istream& in) { load_server_key(in, kToyKeys); };

std::string saved_server_key(std::uint64_t seed) {
  const IdentifiedServerKey& key = toy_keys(kBits, seed).server;
  return saved_bytes([&](std::ostream& out) { save_server_key(key.key, key.key_id, out); });
}

TEST(SerializeServerKey, ReloadedKeyIsIdenticalAndBootstraps) {
  const ToyKeys& keys = toy_keys(kBits, 1);
  std::istringstream in(saved_server_key(1));
  const IdentifiedServerKey reloaded = load_server_key(in, kToyKeys);
  EXPECT_EQ(reloaded.key_id, keys.server.key_id);
  EXPECT_EQ(reloaded.key.parameter_set_name(), keys.client.parameters().name);
  const auto bsk = reloaded.key.bootstrap_key().data();
  const auto original_bsk = keys.server.key.bootstrap_key().data();
  ASSERT_EQ(bsk.size(), original_bsk.size());
  EXPECT_EQ(std::memcmp(bsk.data(), original_bsk.data(), bsk.size_bytes()), 0);
  EXPECT_TRUE(std::ranges::equal(reloaded.key.keyswitch_key().data(), keys.server.key.keyswitch_key().data()));

  // Every message through a PBS with the reloaded key: f(x) = 3x + 1 mod 2^p.
  const ParameterSet& params = reloaded.key.parameters();
  const LookupTable table = make_lookup_table(params.polynomial_size, kBits, [](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>((3 * x + 1) % (1u << kBits)), kBits, Signedness::unsigned_code);
  });
  std::vector<std::byte> scratch(pbs_scratch_size(params));
  Csprng rng = Csprng::from_seed_insecure_for_tests(11);
  for (std::int64_t m = 0; m < (1 << kBits); ++m) {
    const LweCiphertext in_ct =
        make_lwe_encryption(keys.client, LweKeyKind::big, encode_message(m, kBits, Signedness::unsigned_code), rng);
    LweCiphertext out_ct(params.big_lwe_dimension());
    programmable_bootstrap(reloaded.key, in_ct.view(), table, out_ct.view(), scratch);
    EXPECT_EQ(decrypt_message(keys.client, out_ct.view(), kBits, Signedness::unsigned_code), (3 * m + 1) % (1 << kBits))
        << "message " << m;
  }
}

TEST(SerializeServerKey, KeyWhosePartsDisagreeWithItsParametersIsNotSaved) {
  const ServerKey& key = toy_keys(kBits, 1).server.key;
  const ServerKey mixed(insecure_toy_parameter_set(kBits + 1), key.bootstrap_key(), key.keyswitch_key());
  EXPECT_THROW(saved_bytes([&](std::ostream& out) { save_server_key(mixed, KeyId{}, out); }), InvalidArgument);
}

class SerializeServerKeyCorruption : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { bytes_ = new std::string(saved_server_key(1)); }
  static void TearDownTestSuite() { delete bytes_; }
  static std::string* bytes_;
  // The bootstrapping-key header follows the 20-byte envelope header, the partition count, the
  // record and the key id.
  const std::size_t bsk_header_offset_ =
      20 + 4 + serialize::parameter_set_record_bytes(insecure_toy_parameter_set(kBits)) + 16;
};
std::string* SerializeServerKeyCorruption::bytes_ = nullptr;

TEST_F(SerializeServerKeyCorruption, TruncationsAreRejected) {
  // Every length through the headers, then a sample: a short stream fails in the envelope
  // header check, so these are cheap; each sampled length is one seeded draw.
  std::vector<std::size_t> lengths(bsk_header_offset_ + 64);
  std::iota(lengths.begin(), lengths.end(), 0);
  std::mt19937_64 draw(3);
  for (int i = 0; i < 64; ++i) lengths.push_back(draw() % bytes_->size());
  for (std::size_t tail = 1; tail <= 40; ++tail) lengths.push_back(bytes_->size() - tail);
  for (const std::size_t length : lengths) {
    SCOPED_TRACE("truncated to " + std::to_string(length));
    load_error(bytes_->substr(0, length), load);
  }
}

TEST_F(SerializeServerKeyCorruption, ByteFlipsAreRejected) {
  // Every byte of the headers and of the checksum, and 16 seeded payload positions (each of
  // those fails only at the checksum, after reading the whole key).
  std::vector<std::size_t> positions(bsk_header_offset_ + 48);
  std::iota(positions.begin(), positions.end(), 0);
  std::mt19937_64 draw(5);
  for (int i = 0; i < 16; ++i) positions.push_back(draw() % bytes_->size());
  for (std::size_t tail = 1; tail <= 32; ++tail) positions.push_back(bytes_->size() - tail);
  expect_byte_flips_rejected(*bytes_, positions, load);
}

TEST_F(SerializeServerKeyCorruption, DimensionFieldsMustMatchTheParameterSet) {
  std::string corrupt = *bytes_;
  corrupt[bsk_header_offset_] = static_cast<char>(corrupt[bsk_header_offset_] + 1);  // n: 256 -> 257
  rechecksum(corrupt);
  const std::string message = load_error(corrupt, load);
  EXPECT_NE(message.find("size mismatch: bootstrapping key n = 257"), std::string::npos) << message;
}

TEST_F(SerializeServerKeyCorruption, NonFiniteFourierValuesAreRejected) {
  std::string corrupt = *bytes_;
  store_le64(std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN()),
             reinterpret_cast<std::uint8_t*>(corrupt.data() + bsk_header_offset_ + 48 + 8 * 10));
  rechecksum(corrupt);
  EXPECT_NE(load_error(corrupt, load).find("bootstrapping key value 10 is not finite"), std::string::npos);
}

TEST_F(SerializeServerKeyCorruption, FileOfAnotherKindIsRejected) {
  const std::string client = saved_bytes([&](std::ostream& out) { save_client_key(toy_keys(kBits, 1).client, out); });
  EXPECT_NE(load_error(client, load).find("expected \"SKEY\" (server key)"), std::string::npos);
}

}  // namespace
}  // namespace veil::fhe
