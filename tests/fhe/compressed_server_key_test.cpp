// Compressed evaluation keys (seeded masks): they do not depend on the thread count, their
// key-switching rows decrypt to their messages, a saved compressed key (format version 3) loads
// as the same keys and bootstraps every message, it is about 1/(k+1) of the expanded file,
// expanded files still load and are not taken for compressed ones, and corruption is refused.
// (Every other engine test's keys are made through compression too: make_server_key
// decompresses, so the noise-model tests measure these keys.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>

#include "fhe/serialize_test_support.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_byte_flips_rejected;
using serialize_test::load_error;
using serialize_test::saved_bytes;
using serialize_test::toy_keys;

constexpr int kBits = 3;

CompressedServerKey compressed_key(std::uint64_t seed, std::size_t threads) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
  ThreadPool pool(threads);
  return make_compressed_server_key(toy_keys(kBits, 1).client, rng, pool, AllowInsecure::for_tests);
}

const IdentifiedCompressedServerKey& identified_compressed_key() {
  static const IdentifiedCompressedServerKey key{key_id_of(toy_keys(kBits, 1).client), {compressed_key(7, 2)}};
  return key;
}

std::string saved_compressed_key() {
  return saved_bytes([](std::ostream& out) { save_server_key(identified_compressed_key(), out); });
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

void expect_same_keys(const ServerKey& a, const ServerKey& b) {
  EXPECT_TRUE(same_bits(a.bootstrap_key().data(), b.bootstrap_key().data()));
  EXPECT_TRUE(std::ranges::equal(a.keyswitch_key().data(), b.keyswitch_key().data()));
}

TEST(CompressedServerKey, DoesNotDependOnTheThreadCount) {
  const CompressedServerKey one = compressed_key(5, 1), three = compressed_key(5, 3);
  EXPECT_EQ(one.bootstrap_seed(), three.bootstrap_seed());
  EXPECT_EQ(one.keyswitch_seed(), three.keyswitch_seed());
  EXPECT_TRUE(std::ranges::equal(one.bootstrap_bodies(), three.bootstrap_bodies()));
  EXPECT_TRUE(std::ranges::equal(one.keyswitch_bodies(), three.keyswitch_bodies()));
  ThreadPool pool_one(1), pool_three(3);
  expect_same_keys(one.decompress(pool_one), one.decompress(pool_three));
}

TEST(CompressedServerKey, SeedsAreFreshPerKeyAndPerKind) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(9);
  ThreadPool pool(2);
  const ClientKey& client = toy_keys(kBits, 1).client;
  const CompressedServerKey a = make_compressed_server_key(client, rng, pool, AllowInsecure::for_tests);
  const CompressedServerKey b = make_compressed_server_key(client, rng, pool, AllowInsecure::for_tests);
  EXPECT_NE(a.bootstrap_seed(), b.bootstrap_seed());
  EXPECT_NE(a.bootstrap_seed(), a.keyswitch_seed());
}

TEST(CompressedServerKey, KeyswitchRowsDecryptToTheirMessages) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  const ParameterSet& p = client.parameters();
  ThreadPool pool(2);
  const ServerKey key = compressed_key(3, 2).decompress(pool);
  const std::span<const Torus> big = client.glwe_key().flattened_bits();
  // 7 sigma: no row of a few thousand exceeds it unless the encryption is wrong.
  const double bound = 7 * p.lwe_noise.std_dev * std::ldexp(1.0, 64);
  for (std::size_t i = 0; i < big.size(); ++i) {
    for (std::size_t j = 0; j < p.ks_level.value; ++j) {
      const Torus message = big[i] << (64 - p.ks_base_log.value * (j + 1));
      const Torus error = decrypt_lwe_phase(client.small_key().bits(), key.keyswitch_key().row(i, j)) - message;
      ASSERT_LT(std::abs(static_cast<double>(static_cast<std::int64_t>(error))), bound)
          << "row " << i << ", level " << j;
    }
  }
}

TEST(CompressedServerKey, SavedKeyLoadsAsTheSameKeysAndBootstrapsEveryMessage) {
  const std::string bytes = saved_compressed_key();
  std::istringstream in(bytes);
  const IdentifiedServerKey loaded = load_server_key(in, kToyKeys);
  ThreadPool pool(2);
  const IdentifiedServerKey expected = identified_compressed_key().decompress(pool);
  EXPECT_EQ(loaded.key_id, expected.key_id);
  expect_same_keys(loaded.key, expected.key);

  const ClientKey& client = toy_keys(kBits, 1).client;
  const ParameterSet& params = client.parameters();
  const LookupTable table = make_lookup_table(params.polynomial_size, kBits, [](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>((5 * x + 2) % (1u << kBits)), kBits, Signedness::unsigned_code);
  });
  std::vector<std::byte> scratch(pbs_scratch_size(params));
  Csprng rng = Csprng::from_seed_insecure_for_tests(12);
  for (std::int64_t m = 0; m < (1 << kBits); ++m) {
    const LweCiphertext in_ct =
        make_lwe_encryption(client, LweKeyKind::big, encode_message(m, kBits, Signedness::unsigned_code), rng);
    LweCiphertext out_ct(params.big_lwe_dimension());
    programmable_bootstrap(loaded.key, in_ct.view(), table, out_ct.view(), scratch);
    EXPECT_EQ(decrypt_message(client, out_ct.view(), kBits, Signedness::unsigned_code), (5 * m + 2) % (1 << kBits))
        << "message " << m;
  }
}

TEST(CompressedServerKey, FileIsOneOverKPlusOneOfTheExpandedOne) {
  const std::string bytes = saved_compressed_key();
  const ParameterSet& p = toy_keys(kBits, 1).client.parameters();
  const std::vector<ParameterSet> sets{p};
  EXPECT_EQ(bytes.size(), 20 + compressed_server_key_payload_bytes(sets) + 32);
  // Bodies only: the bootstrapping key shrinks by k+1, the key-switching key by n+1.
  const double k1 = static_cast<double>(p.glwe_dimension.value + 1);
  EXPECT_LT(static_cast<double>(compressed_server_key_payload_bytes(sets)),
            static_cast<double>(server_key_payload_bytes(sets)) / k1 * 1.05);
  std::istringstream in(bytes);
  const IdentifiedCompressedServerKey reloaded = load_compressed_server_key(in, kToyKeys);
  EXPECT_EQ(saved_bytes([&](std::ostream& out) { save_server_key(reloaded, out); }), bytes);
}

TEST(CompressedServerKey, ExpandedFilesStillLoadButNotAsCompressed) {
  const IdentifiedServerKey& expanded = toy_keys(kBits, 1).server;
  const std::string bytes = saved_bytes([&](std::ostream& out) { save_server_key(expanded, out); });
  EXPECT_EQ(bytes[8], static_cast<char>(kKeyFormatVersion));
  std::istringstream in(bytes);
  expect_same_keys(load_server_key(in, kToyKeys).key, expanded.key);
  const std::string message = load_error(bytes, [](std::istream& s) { load_compressed_server_key(s, kToyKeys); });
  EXPECT_NE(message.find("expanded keys"), std::string::npos) << message;
}

TEST(CompressedServerKey, CorruptionIsRefused) {
  const std::string bytes = saved_compressed_key();
  const auto load = [](std::istream& in) { load_server_key(in, kToyKeys); };
  // The header, partition list and the first bootstrapping fields (seed included), then a sample.
  std::vector<std::size_t> positions(std::min<std::size_t>(bytes.size(), 600));
  std::iota(positions.begin(), positions.end(), std::size_t{0});
  for (std::size_t i = 600; i < bytes.size(); i += bytes.size() / 40) positions.push_back(i);
  expect_byte_flips_rejected(bytes, positions, load);
  for (const std::size_t length : {std::size_t{0}, std::size_t{19}, bytes.size() / 2, bytes.size() - 1}) {
    load_error(bytes.substr(0, length), load);
  }
}

TEST(CompressedServerKey, BodyCountsMustMatchTheSet) {
  const ParameterSet& p = toy_keys(kBits, 1).client.parameters();
  EXPECT_THROW(CompressedServerKey(p, {}, std::vector<Torus>(compressed_bootstrap_key_words(p) - 1), {},
                                   std::vector<Torus>(compressed_keyswitch_key_words(p))),
               InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
