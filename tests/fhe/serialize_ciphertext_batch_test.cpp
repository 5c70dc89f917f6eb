// Ciphertext-batch files: round trips under both keys and of the context tag, exhaustive
// corruption of a small batch, refusal of version 1 and of batches that belong to another key
// or parameter set.
#include <gtest/gtest.h>

#include <streambuf>

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
const auto load = [](std::istream& in) { load_ciphertext_batch(in); };

/// Encryptions of 0, 1, 2, ... (mod 2^p) under one of the client's keys.
CiphertextBatch encrypt_batch(const ClientKey& client, LweKeyKind kind, std::size_t count, std::uint64_t seed) {
  const ParameterSet& params = client.parameters();
  CiphertextBatch batch;
  batch.parameter_set_name = params.name;
  batch.key_id = key_id_of(client);
  batch.key_kind = kind;
  batch.ciphertexts =
      LweCiphertextArray(count, kind == LweKeyKind::small ? params.lwe_dimension : params.big_lwe_dimension());
  Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
  const int p = params.precision_bits;
  for (std::size_t i = 0; i < count; ++i) {
    const auto m = static_cast<std::int64_t>(i % (std::size_t{1} << p));
    encrypt_lwe(client, kind, encode_message(m, p, Signedness::unsigned_code), rng, batch.ciphertexts[i]);
  }
  return batch;
}

std::string saved_batch(const CiphertextBatch& batch) {
  return saved_bytes([&](std::ostream& out) { save_ciphertext_batch(batch, out); });
}

TEST(SerializeCiphertextBatch, RoundTripDecryptsUnderBothKeys) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    const CiphertextBatch batch = encrypt_batch(client, kind, 20, 3);
    std::istringstream in(saved_batch(batch));
    const CiphertextBatch reloaded = load_ciphertext_batch(in, toy_keys(kBits, 1).server);
    EXPECT_EQ(reloaded.key_kind, kind);
    EXPECT_EQ(reloaded.key_id, batch.key_id);
    ASSERT_EQ(reloaded.ciphertexts.size(), 20u);
    EXPECT_TRUE(std::ranges::equal(reloaded.ciphertexts.data(), batch.ciphertexts.data()));
    for (std::size_t i = 0; i < 20; ++i) {
      EXPECT_EQ(decrypt_message(client, reloaded.ciphertexts[i], kBits, Signedness::unsigned_code),
                static_cast<std::int64_t>(i % 8));
    }
  }
}

// The context tag travels with the batch; fhe only stores it. Its helper is plain SHA-256
// (FIPS 180-2's "abc" vector).
TEST(SerializeCiphertextBatch, ContextTagRoundTrips) {
  EXPECT_EQ(context_tag_of("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(context_tag_of("abc").short_hex(), "ba7816bf8f01cfea");
  CiphertextBatch batch = encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::big, 3, 3);
  EXPECT_EQ(batch.context, ContextTag{});  // unbound unless the application binds it
  batch.context = context_tag_of("model A");
  std::istringstream in(saved_batch(batch));
  EXPECT_EQ(load_ciphertext_batch(in).context, context_tag_of("model A"));
}

// Version 1 had no context tag: refused by its number, not read as something else.
TEST(SerializeCiphertextBatch, VersionOneIsRefusedByItsNumber) {
  std::string bytes = saved_batch(encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::big, 1, 3));
  ASSERT_EQ(bytes[8], static_cast<char>(kCiphertextFormatVersion));
  bytes[8] = 1;
  rechecksum(bytes);
  EXPECT_NE(load_error(bytes, load)
                .find("format version 1 unsupported, this build reads version 2 of a ciphertext "
                      "batch (version 1 carries no context tag: make it again)"),
            std::string::npos)
      << load_error(bytes, load);
}

TEST(SerializeCiphertextBatch, EmptyBatchRoundTrips) {
  const CiphertextBatch batch = encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::big, 0, 3);
  std::istringstream in(saved_batch(batch));
  EXPECT_EQ(load_ciphertext_batch(in).ciphertexts.size(), 0u);
}

TEST(SerializeCiphertextBatch, BatchOfAnotherKeyIdIsRejected) {
  // Same parameter set, independent keys: only the key id tells them apart.
  const CiphertextBatch batch = encrypt_batch(toy_keys(kBits, 2).client, LweKeyKind::big, 4, 3);
  const std::string bytes = saved_batch(batch);
  std::istringstream in(bytes);
  try {
    load_ciphertext_batch(in, toy_keys(kBits, 1).server);
    ADD_FAILURE() << "a batch of key 2 loaded against server key 1";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("mismatched keys"), std::string::npos) << e.what();
  }
  EXPECT_THROW(require_same_key(batch, toy_keys(kBits, 1).client), InvalidArgument);
  EXPECT_NO_THROW(require_same_key(batch, toy_keys(kBits, 2).client));
  EXPECT_THROW(require_same_key(toy_keys(kBits, 2).server, toy_keys(kBits, 1).client), InvalidArgument);
  EXPECT_NO_THROW(require_same_key(toy_keys(kBits, 1).server, toy_keys(kBits, 1).client));
}

TEST(SerializeCiphertextBatch, BatchOfAnotherParameterSetIsRejected) {
  // A batch claiming key 1's id but another parameter set is still refused.
  CiphertextBatch batch = encrypt_batch(toy_keys(kBits + 1, 1).client, LweKeyKind::big, 2, 3);
  batch.key_id = toy_keys(kBits, 1).server.key_id;
  std::istringstream in(saved_batch(batch));
  EXPECT_THROW(load_ciphertext_batch(in, toy_keys(kBits, 1).server), InvalidArgument);
  EXPECT_THROW(require_same_key(batch, toy_keys(kBits, 1).client), InvalidArgument);
}

TEST(SerializeCiphertextBatch, BatchWhoseDimensionDisagreesIsNotSaved) {
  CiphertextBatch batch = encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::big, 2, 3);
  batch.key_kind = LweKeyKind::small;  // the ciphertexts have dimension k*N, not n
  EXPECT_THROW(saved_batch(batch), InvalidArgument);
  batch.parameter_set_name = "no_such_set";
  EXPECT_THROW(saved_batch(batch), InvalidArgument);
}

/// A stream that cannot seek or tell its size, like a pipe or a socket.
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(std::string bytes) : bytes_(std::move(bytes)) {
    setg(bytes_.data(), bytes_.data(), bytes_.data() + bytes_.size());
  }

 private:
  std::string bytes_;
};

TEST(SerializeCiphertextBatch, UnseekableStreamsLoadAndReportTruncation) {
  const CiphertextBatch batch = encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::big, 3, 3);
  const std::string bytes = saved_batch(batch);
  PipeBuffer whole(bytes);
  std::istream whole_in(&whole);
  ASSERT_EQ(whole_in.tellg(), std::istream::pos_type(-1)) << "the test stream must not be seekable";
  EXPECT_TRUE(std::ranges::equal(load_ciphertext_batch(whole_in).ciphertexts.data(), batch.ciphertexts.data()));

  PipeBuffer cut(bytes.substr(0, bytes.size() - 100));
  std::istream cut_in(&cut);
  try {
    load_ciphertext_batch(cut_in);
    ADD_FAILURE() << "a truncated pipe loaded";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated at offset"), std::string::npos) << e.what();
  }
}

class SerializeCiphertextBatchCorruption : public ::testing::Test {
 protected:
  const CiphertextBatch batch_ = encrypt_batch(toy_keys(kBits, 1).client, LweKeyKind::small, 2, 3);
  const std::string bytes_ = saved_batch(batch_);
  // Count field: the last u64 before 2 ciphertexts of n+1 words and the checksum.
  const std::size_t count_offset_ = bytes_.size() - 32 - 2 * 8 * (batch_.ciphertexts.dimension().value + 1) - 8;
};

TEST_F(SerializeCiphertextBatchCorruption, EveryTruncationIsRejected) {
  expect_every_truncation_rejected(bytes_, load);
}

TEST_F(SerializeCiphertextBatchCorruption, EverySingleByteFlipIsRejected) {
  expect_every_byte_flip_rejected(bytes_, load);
}

TEST_F(SerializeCiphertextBatchCorruption, HostileCountIsRejectedBeforeAllocating) {
  // 2^61 ciphertexts would overflow count * (n + 1) * 8; the loader must refuse it, not allocate.
  std::string corrupt = bytes_;
  corrupt.replace(count_offset_, 8, std::string("\x00\x00\x00\x00\x00\x00\x00\x20", 8));
  rechecksum(corrupt);
  const std::string message = load_error(corrupt, load);
  EXPECT_NE(message.find("size mismatch"), std::string::npos) << message;
}

TEST_F(SerializeCiphertextBatchCorruption, CountSmallerThanThePayloadIsRejected) {
  std::string corrupt = bytes_;
  corrupt[count_offset_] = 1;
  rechecksum(corrupt);
  EXPECT_NE(load_error(corrupt, load).find("payload length mismatch"), std::string::npos);
}

TEST_F(SerializeCiphertextBatchCorruption, UnknownKeyKindIsNamed) {
  std::string corrupt = bytes_;
  corrupt[count_offset_ - 9] = 7;
  rechecksum(corrupt);
  EXPECT_NE(load_error(corrupt, load).find("key kind 7"), std::string::npos);
}

}  // namespace
}  // namespace veil::fhe
