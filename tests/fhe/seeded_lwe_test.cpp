// Seeded LWE batches: decryption on a toy and a vetted set, masks equal to the documented
// AES-128-CTR keystream, sub-range and concurrent expansion, the noise of a fresh encryption,
// and the SLWE file format (round trip, exhaustive corruption, key matching).
#include "veil/fhe/seeded_lwe.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <thread>

#include "fhe/serialize_test_support.hpp"
#include "veil/fhe/encoding.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_every_byte_flip_rejected;
using serialize_test::expect_every_truncation_rejected;
using serialize_test::load_error;
using serialize_test::rechecksum;
using serialize_test::saved_bytes;
using serialize_test::scratch_directory;
using serialize_test::toy_keys;

constexpr int kBits = 3;
const auto load = [](std::istream& in) { load_seeded_lwe_batch(in); };

/// Plaintexts encoding 0, 1, 2, ... (mod 2^p).
std::vector<Torus> counting_plaintexts(std::size_t count, int precision_bits) {
  std::vector<Torus> plaintexts(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto m = static_cast<std::int64_t>(i % (std::size_t{1} << precision_bits));
    plaintexts[i] = encode_message(m, precision_bits, Signedness::unsigned_code);
  }
  return plaintexts;
}

SeededLweBatch encrypt_counting(const ClientKey& client, LweKeyKind kind, std::size_t count, std::uint64_t seed) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
  return encrypt_seeded_lwe_batch(client, kind, counting_plaintexts(count, client.parameters().precision_bits), rng);
}

LweCiphertextArray expand_all(const SeededLweBatch& batch) {
  LweCiphertextArray cts(batch.size(), batch.dimension);
  expand_seeded_lwe(batch, 0, cts);
  return cts;
}

std::string saved_batch(const SeededLweBatch& batch) {
  return saved_bytes([&](std::ostream& out) { save_seeded_lwe_batch(batch, out); });
}

/// A vetted set whose small key has an odd dimension, so that masks do not fill whole AES
/// blocks (each mask must still start on its own block). Client keys only: no server key.
const ClientKey& vetted_odd_client() {
  static const ClientKey client = [] {
    for (const ParameterSet* p : all_vetted_parameter_sets()) {
      if (p->lwe_dimension.value % 2 == 1) {
        Csprng rng = Csprng::from_seed_insecure_for_tests(41);
        return make_client_key(*p, rng);
      }
    }
    throw InvalidArgument("no vetted set with an odd n");
  }();
  return client;
}

void expect_decrypts(const ClientKey& client, const SeededLweBatch& batch) {
  const int p = client.parameters().precision_bits;
  const LweCiphertextArray cts = expand_all(batch);
  for (std::size_t i = 0; i < cts.size(); ++i) {
    ASSERT_EQ(decrypt_message(client, cts[i], p, Signedness::unsigned_code),
              static_cast<std::int64_t>(i % (std::size_t{1} << p)))
        << client.parameters().name << ", ciphertext " << i;
  }
}

TEST(SeededLwe, DecryptsUnderBothKeysOfAToySet) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    const SeededLweBatch batch = encrypt_counting(client, kind, 64, 5);
    EXPECT_EQ(batch.parameter_set_name, client.parameters().name);
    EXPECT_EQ(batch.key_id, key_id_of(client));
    EXPECT_EQ(batch.dimension.value,
              (kind == LweKeyKind::small ? client.small_key().bits() : client.glwe_key().flattened_bits()).size());
    expect_decrypts(client, batch);
  }
}

TEST(SeededLwe, DecryptsUnderBothKeysOfAVettedSet) {
  const ClientKey& client = vetted_odd_client();
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big})
    expect_decrypts(client, encrypt_counting(client, kind, 64, 6));
}

/// AES-128(seed, counter block) with the counter big-endian in the block's last 8 bytes.
std::array<std::uint8_t, 16> aes_block(const std::array<std::uint8_t, 16>& key, std::uint64_t counter) {
  std::array<std::uint8_t, 16> in{}, out{};
  for (int i = 0; i < 8; ++i) in[15 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int written = 0;
  const bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr) == 1 &&
                  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                  EVP_EncryptUpdate(ctx, out.data(), &written, in.data(), 16) == 1 && written == 16;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw Error("AES-128-ECB failed");
  return out;
}

TEST(SeededLwe, MaskIsTheDocumentedKeystream) {
  // docs/serialization.md: ciphertext i's mask = the AES-128-CTR keystream of the seed from
  // counter block i * ceil(d / 2), read as little-endian words. Checked block by block with ECB.
  const SeededLweBatch batch = encrypt_counting(vetted_odd_client(), LweKeyKind::small, 3, 7);
  const std::size_t d = batch.dimension.value;
  ASSERT_EQ(d % 2, 1u);
  const LweCiphertextArray cts = expand_all(batch);
  for (std::size_t i = 0; i < cts.size(); ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      const auto block = aes_block(batch.seed, i * ((d + 1) / 2) + j / 2);
      Torus word = 0;
      for (int b = 0; b < 8; ++b) word |= Torus{block[8 * (j % 2) + b]} << (8 * b);
      ASSERT_EQ(cts[i][j], word) << "ciphertext " << i << ", mask word " << j;
    }
    EXPECT_EQ(cts[i][d], batch.bodies[i]);
  }
}

TEST(SeededLwe, SubRangesAndConcurrentExpansionsEqualTheFullExpansion) {
  for (const ClientKey* client : {&toy_keys(kBits, 1).client, &vetted_odd_client()}) {
    const SeededLweBatch batch = encrypt_counting(*client, LweKeyKind::small, 23, 8);
    const LweCiphertextArray full = expand_all(batch);
    // Ranges in decreasing order, single ciphertexts, the empty range at the end.
    for (const auto& [first, count] :
         std::vector<std::pair<std::size_t, std::size_t>>{{20, 3}, {7, 9}, {1, 1}, {0, 5}, {23, 0}}) {
      LweCiphertextArray part(count, batch.dimension);
      expand_seeded_lwe(batch, first, part);
      const std::size_t words = batch.dimension.value + 1;
      EXPECT_TRUE(std::ranges::equal(part.data(), full.data().subspan(first * words, count * words)))
          << client->parameters().name << ": [" << first << ", " << first + count << ")";
    }
    std::vector<LweCiphertextArray> singles(batch.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < batch.size(); i += 4) {
          singles[i] = LweCiphertextArray(1, batch.dimension);
          expand_seeded_lwe(batch, i, singles[i]);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_TRUE(std::ranges::equal(singles[i][0], full[i])) << i;
  }
}

TEST(SeededLwe, ExpansionRefusesBadRangesAndDimensions) {
  const SeededLweBatch batch = encrypt_counting(toy_keys(kBits, 1).client, LweKeyKind::small, 4, 9);
  LweCiphertextArray two(2, batch.dimension);
  EXPECT_THROW(expand_seeded_lwe(batch, 3, two), InvalidArgument);
  EXPECT_THROW(expand_seeded_lwe(batch, 5, two), InvalidArgument);
  LweCiphertextArray wrong(1, LweDimension(batch.dimension.value + 1));
  EXPECT_THROW(expand_seeded_lwe(batch, 0, wrong), InvalidArgument);
}

TEST(SeededLwe, SeedAndNoiseComeFromTheCallersGenerator) {
  // Same generator state, same batch; another state, another seed and other noise.
  const ClientKey& client = toy_keys(kBits, 1).client;
  const SeededLweBatch a = encrypt_counting(client, LweKeyKind::big, 8, 10);
  const SeededLweBatch b = encrypt_counting(client, LweKeyKind::big, 8, 10);
  const SeededLweBatch c = encrypt_counting(client, LweKeyKind::big, 8, 11);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.bodies, b.bodies);
  EXPECT_NE(a.seed, c.seed);
  EXPECT_NE(a.bodies, c.bodies);
}

/// Sample mean and variance (torus scale) of phase - plaintext over a fresh batch.
std::pair<double, double> phase_noise_moments(const ClientKey& client, LweKeyKind kind, std::size_t samples) {
  const std::vector<Torus> plaintexts = counting_plaintexts(samples, client.parameters().precision_bits);
  Csprng rng = Csprng::from_seed_insecure_for_tests(12);
  const LweCiphertextArray cts = expand_all(encrypt_seeded_lwe_batch(client, kind, plaintexts, rng));
  double sum = 0, sum_squares = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const double e =
        static_cast<double>(static_cast<std::int64_t>(decrypt_phase(client, cts[i]) - plaintexts[i])) * 0x1p-64;
    sum += e;
    sum_squares += e * e;
  }
  const double mean = sum / static_cast<double>(samples);
  return {mean, sum_squares / static_cast<double>(samples) - mean * mean};
}

TEST(SeededLwe, PhaseNoiseHasTheFreshEncryptionVariance) {
  // 10^4 phases per key: the sample variance has a relative standard error of sqrt(2/10^4) =
  // 1.4%, so 6% is > 4 standard errors; the mean must be within 4 standard errors of 0.
  constexpr std::size_t kSamples = 10'000;
  for (const ClientKey* client : {&toy_keys(kBits, 1).client, &vetted_odd_client()}) {
    const ParameterSet& p = client->parameters();
    for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
      SCOPED_TRACE(p.name + (kind == LweKeyKind::small ? ", small key" : ", big key"));
      const double sigma = kind == LweKeyKind::small ? p.lwe_noise.std_dev : p.glwe_noise.std_dev;
      const auto [mean, variance] = phase_noise_moments(*client, kind, kSamples);
      EXPECT_NEAR(variance / (sigma * sigma), 1.0, 0.06);
      EXPECT_LT(std::abs(mean), 4 * sigma / std::sqrt(double{kSamples}));
    }
  }
}

void expect_same_batch(const SeededLweBatch& a, const SeededLweBatch& b) {
  EXPECT_EQ(a.parameter_set_name, b.parameter_set_name);
  EXPECT_EQ(a.key_id, b.key_id);
  EXPECT_EQ(a.key_kind, b.key_kind);
  EXPECT_EQ(a.dimension, b.dimension);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.bodies, b.bodies);
}

TEST(SeededLweFormat, StreamAndFileRoundTrips) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    const SeededLweBatch batch = encrypt_counting(client, kind, 17, 13);
    const std::string bytes = saved_batch(batch);
    // Header, record, key id, kind, dimension, seed, count, bodies, checksum: no masks.
    EXPECT_LT(bytes.size(), 600u + 8 * batch.size());
    std::istringstream in(bytes);
    const SeededLweBatch reloaded = load_seeded_lwe_batch(in);
    expect_same_batch(reloaded, batch);
    expect_decrypts(client, reloaded);
  }
  const SeededLweBatch batch = encrypt_counting(client, LweKeyKind::big, 5, 14);
  const std::filesystem::path path = scratch_directory("seeded_lwe") / "batch.slwe";
  save_seeded_lwe_batch_file(batch, path);
  expect_same_batch(load_seeded_lwe_batch_file(path), batch);
}

TEST(SeededLweFormat, ContextTagRoundTripsAndVersionOneIsRefused) {
  SeededLweBatch batch = encrypt_counting(toy_keys(kBits, 1).client, LweKeyKind::big, 2, 19);
  batch.context = context_tag_of("model B");
  std::string bytes = saved_batch(batch);
  std::istringstream in(bytes);
  EXPECT_EQ(load_seeded_lwe_batch(in).context, context_tag_of("model B"));
  bytes[8] = 1;  // the format version
  rechecksum(bytes);
  EXPECT_NE(
      load_error(bytes, load).find("format version 1 unsupported, this build reads version 2 of a seeded LWE batch"),
      std::string::npos);
}

TEST(SeededLweFormat, EmptyBatchRoundTrips) {
  std::istringstream in(saved_batch(encrypt_counting(toy_keys(kBits, 1).client, LweKeyKind::big, 0, 15)));
  EXPECT_EQ(load_seeded_lwe_batch(in).size(), 0u);
}

TEST(SeededLweFormat, BatchWhoseDimensionDisagreesIsNotSaved) {
  SeededLweBatch batch = encrypt_counting(toy_keys(kBits, 1).client, LweKeyKind::big, 2, 16);
  batch.key_kind = LweKeyKind::small;
  EXPECT_THROW(saved_batch(batch), InvalidArgument);
  batch.parameter_set_name = "no_such_set";
  EXPECT_THROW(saved_batch(batch), InvalidArgument);
}

TEST(SeededLweFormat, OtherKindsAreRefusedByName) {
  CiphertextBatch batch;
  batch.parameter_set_name = toy_keys(kBits, 1).client.parameters().name;
  batch.ciphertexts = LweCiphertextArray(1, toy_keys(kBits, 1).client.parameters().big_lwe_dimension());
  const std::string bytes = saved_bytes([&](std::ostream& out) { save_ciphertext_batch(batch, out); });
  EXPECT_NE(load_error(bytes, load).find("object kind \"CTXT\" (ciphertext batch), expected \"SLWE\""),
            std::string::npos);
}

TEST(SeededLweFormat, MismatchedKeysAreNamed) {
  const SeededLweBatch batch = encrypt_counting(toy_keys(kBits, 2).client, LweKeyKind::big, 2, 17);
  EXPECT_NO_THROW(require_same_key(batch, toy_keys(kBits, 2).server));
  try {
    require_same_key(batch, toy_keys(kBits, 1).server);
    ADD_FAILURE() << "a batch of key 2 matched server key 1";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("mismatched keys: seeded LWE batch belongs to key " + batch.key_id.hex()), std::string::npos)
        << message;
    EXPECT_NE(message.find("server key is key " + toy_keys(kBits, 1).server.key_id.hex()), std::string::npos)
        << message;
  }
}

class SeededLweFormatCorruption : public ::testing::Test {
 protected:
  const SeededLweBatch batch_ = encrypt_counting(toy_keys(kBits, 1).client, LweKeyKind::small, 3, 18);
  const std::string bytes_ = saved_batch(batch_);
  // The count: the last u64 before 3 bodies and the checksum; the seed, kind and dimension before it.
  const std::size_t count_offset_ = bytes_.size() - 32 - 3 * 8 - 8;
  const std::size_t dimension_offset_ = count_offset_ - 16 - 8;
  const std::size_t kind_offset_ = dimension_offset_ - 1;
};

TEST_F(SeededLweFormatCorruption, EveryTruncationIsRejected) { expect_every_truncation_rejected(bytes_, load); }

TEST_F(SeededLweFormatCorruption, EverySingleByteFlipIsRejected) { expect_every_byte_flip_rejected(bytes_, load); }

TEST_F(SeededLweFormatCorruption, FieldErrorsAreNamed) {
  const auto edited = [&](std::size_t offset, std::string_view value) {
    std::string corrupt = bytes_;
    corrupt.replace(offset, value.size(), value);
    rechecksum(corrupt);
    return load_error(corrupt, load);
  };
  EXPECT_NE(edited(kind_offset_, std::string("\x07", 1)).find("key kind 7"), std::string::npos);
  EXPECT_NE(
      edited(dimension_offset_, std::string("\x01", 1)).find("size mismatch: LWE dimension of small key ciphertexts"),
      std::string::npos);
  // 2^61 bodies: refused before allocating.
  EXPECT_NE(edited(count_offset_, std::string("\x00\x00\x00\x00\x00\x00\x00\x20", 8)).find("size mismatch"),
            std::string::npos);
  EXPECT_NE(edited(count_offset_, std::string("\x02", 1)).find("payload length mismatch"), std::string::npos);
}

TEST_F(SeededLweFormatCorruption, TrailingBytesInAFileAreRejected) {
  const std::filesystem::path path = scratch_directory("seeded_lwe_trailing") / "batch.slwe";
  std::ofstream(path, std::ios::binary) << bytes_ << 'x';
  EXPECT_THROW(load_seeded_lwe_batch_file(path), FormatError);
}

}  // namespace
}  // namespace veil::fhe
