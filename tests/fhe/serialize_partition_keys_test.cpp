// Key files of a multi-parameter program (format version 2): every partition's small key and
// evaluation keys survive a round trip under one key id; version-1 files (one set) still load as
// one partition; a partition list that was cut, overstated or names a set of another GLWE key is
// refused with a FormatError naming it.
#include <gtest/gtest.h>

#include <cstring>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize_test_support.hpp"
#include "veil/common/little_endian.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_every_byte_flip_rejected;
using serialize_test::expect_every_truncation_rejected;
using serialize_test::load_error;
using serialize_test::rechecksum;
using serialize_test::saved_bytes;

// The toy sets of the runtime's multi-parameter tests: one k, N and GLWE noise, n 256 and 224.
constexpr const char* kSets[] = {"insecure_toy_p6", "insecure_toy_p6_n224"};
constexpr std::size_t kCountOffset = kEnvelopeHeaderBytes;  // version 2: the u32 partition count

const std::vector<ClientKey>& partition_client_keys() {
  static const std::vector<ClientKey> keys = [] {
    Csprng rng = Csprng::from_seed_insecure_for_tests(21);
    std::vector<ClientKey> out{make_client_key(parameter_set_by_name(kSets[0]), rng, AllowInsecure::for_tests)};
    out.push_back(make_partition_client_key(out[0], parameter_set_by_name(kSets[1]), rng, AllowInsecure::for_tests));
    return out;
  }();
  return keys;
}

const IdentifiedServerKey& partition_server_key() {
  static const IdentifiedServerKey key = [] {
    Csprng rng = Csprng::from_seed_insecure_for_tests(22);
    ThreadPool pool;
    const std::vector<ClientKey>& clients = partition_client_keys();
    IdentifiedServerKey out{key_id_of(clients), make_server_key(clients[0], rng, pool, AllowInsecure::for_tests), {}};
    out.partition_keys.push_back(make_server_key(clients[1], rng, pool, AllowInsecure::for_tests));
    return out;
  }();
  return key;
}

const auto load_clients = [](std::istream& in) { load_client_keys(in, kToyKeys); };
const auto load_server = [](std::istream& in) { load_server_key(in, kToyKeys); };

std::string saved_clients() {
  return saved_bytes([](std::ostream& out) { save_client_keys(partition_client_keys(), out); });
}

// A version-1 file from a one-partition version-2 file: the same payload without the count.
std::string as_version_one(std::string bytes) {
  bytes.erase(kCountOffset, 4);
  bytes[8] = 1;
  std::uint8_t* length = reinterpret_cast<std::uint8_t*>(bytes.data() + 12);
  store_le64(load_le64(length) - 4, length);
  rechecksum(bytes);
  return bytes;
}

void set_count(std::string& bytes, std::uint32_t count) {
  for (int i = 0; i < 4; ++i) bytes[kCountOffset + i] = static_cast<char>((count >> (8 * i)) & 0xff);
  rechecksum(bytes);
}

TEST(SerializePartitionKeys, ClientKeysRoundTripUnderOneKeyId) {
  const std::vector<ClientKey>& keys = partition_client_keys();
  std::istringstream in(saved_clients());
  const std::vector<ClientKey> reloaded = load_client_keys(in, kToyKeys);
  ASSERT_EQ(reloaded.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(reloaded[i].parameters().name, kSets[i]);
    EXPECT_TRUE(std::ranges::equal(reloaded[i].small_key().bits(), keys[i].small_key().bits()));
    EXPECT_TRUE(std::ranges::equal(reloaded[i].glwe_key().flattened_bits(), keys[0].glwe_key().flattened_bits()));
  }
  EXPECT_EQ(key_id_of(reloaded), key_id_of(keys));
  // The id covers every partition: not partition 0's alone, nor one with another small key.
  EXPECT_NE(key_id_of(keys), key_id_of(keys[0]));
  Csprng rng = Csprng::from_seed_insecure_for_tests(5);
  const std::vector<ClientKey> other{
      keys[0], make_partition_client_key(keys[0], parameter_set_by_name(kSets[1]), rng, AllowInsecure::for_tests)};
  EXPECT_NE(key_id_of(other), key_id_of(keys));

  EXPECT_NE(
      load_error(saved_clients(), [](std::istream& s) { load_client_key(s, kToyKeys); }).find("keys of 2 partitions"),
      std::string::npos);
}

TEST(SerializePartitionKeys, ClientKeysOfTwoGlweKeysAreNotSaved) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(6);
  const std::vector<ClientKey> mixed{partition_client_keys()[0],
                                     make_client_key(parameter_set_by_name(kSets[1]), rng, AllowInsecure::for_tests)};
  std::ostringstream out;
  EXPECT_THROW(save_client_keys(mixed, out), InvalidArgument);
  EXPECT_THROW(save_client_keys({}, out), InvalidArgument);
}

TEST(SerializePartitionKeys, ServerKeysRoundTripWithEveryPartition) {
  const IdentifiedServerKey& key = partition_server_key();
  std::istringstream in(saved_bytes([&](std::ostream& out) { save_server_key(key, out); }));
  const IdentifiedServerKey reloaded = load_server_key(in, kToyKeys);
  EXPECT_EQ(reloaded.key_id, key.key_id);
  ASSERT_EQ(reloaded.partition_count(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(reloaded.partition(i).parameter_set_name(), kSets[i]);
    const auto bsk = reloaded.partition(i).bootstrap_key().data();
    const auto original = key.partition(i).bootstrap_key().data();
    ASSERT_EQ(bsk.size(), original.size());
    EXPECT_EQ(std::memcmp(bsk.data(), original.data(), bsk.size_bytes()), 0);
    EXPECT_TRUE(
        std::ranges::equal(reloaded.partition(i).keyswitch_key().data(), key.partition(i).keyswitch_key().data()));
  }
  EXPECT_NO_THROW(require_same_key(reloaded, std::span<const ClientKey>(partition_client_keys())));
  EXPECT_THROW(require_same_key(reloaded, partition_client_keys()[0]), InvalidArgument);
}

TEST(SerializePartitionKeys, ServerKeyFileCutInsideTheSecondPartitionIsRefused) {
  const std::string bytes = saved_bytes([](std::ostream& out) { save_server_key(partition_server_key(), out); });
  const std::size_t one = server_key_payload_bytes(parameter_set_by_name(kSets[0]));
  // The first partition's keys end inside the file; cuts there and a little beyond are truncations.
  for (const std::size_t length : {one, one + 100, bytes.size() - 33}) {
    EXPECT_NE(load_error(bytes.substr(0, length), load_server).find("truncated"), std::string::npos) << length;
  }
  // The count edited to 1: the file holds more than one partition's fields.
  std::string fewer = bytes;
  set_count(fewer, 1);
  EXPECT_NE(load_error(fewer, load_server).find("size mismatch"), std::string::npos);
}

TEST(SerializePartitionKeys, VersionOneFilesLoadAsOnePartition) {
  const ClientKey& client = partition_client_keys()[0];
  std::istringstream client_in(as_version_one(saved_bytes([&](std::ostream& out) { save_client_key(client, out); })));
  const std::vector<ClientKey> clients = load_client_keys(client_in, kToyKeys);
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_EQ(key_id_of(clients), key_id_of(client));  // one partition keeps the version-1 id

  const IdentifiedServerKey& server = partition_server_key();
  std::istringstream server_in(
      as_version_one(saved_bytes([&](std::ostream& out) { save_server_key(server.key, server.key_id, out); })));
  const IdentifiedServerKey reloaded = load_server_key(server_in, kToyKeys);
  EXPECT_EQ(reloaded.partition_count(), 1u);
  EXPECT_EQ(reloaded.key.parameter_set_name(), kSets[0]);
}

TEST(SerializePartitionKeys, UnknownVersionIsRefusedByNumber) {
  std::string bytes = saved_clients();
  bytes[8] = 3;
  rechecksum(bytes);
  EXPECT_NE(load_error(bytes, load_clients).find("format version 3 unsupported, this build reads versions 1..2"),
            std::string::npos);
}

TEST(SerializePartitionKeys, PartitionCountsOutOfRangeAreNamed) {
  for (const std::uint32_t count : {0u, 65u, 0xffffffffu}) {
    std::string bytes = saved_clients();
    set_count(bytes, count);
    EXPECT_NE(load_error(bytes, load_clients).find("partition count " + std::to_string(count)), std::string::npos);
  }
  std::string more = saved_clients();
  set_count(more, 3);  // a third record would start where the key id is
  EXPECT_FALSE(load_error(more, load_clients).empty());
}

TEST(SerializePartitionKeys, SetsThatCannotNestTheirGlweKeysAreRefused) {
  // A hand-made version-2 header listing the 6-bit toy and an optimizer's set of the same k*N but
  // another GLWE sigma: one key cannot have two (nested keys, docs/parameters.md).
  std::ostringstream out(std::ios::binary);
  ByteWriter writer(out);
  const ParameterSet& first = parameter_set_by_name(kSets[0]);
  const ParameterSet& other = parameter_set_by_name("opt128_p7_nrm300_pe0.05_k1N4096_concrete_v0");
  const std::uint64_t payload =
      4 + serialize::parameter_set_record_bytes(first) + serialize::parameter_set_record_bytes(other) + 64;
  write_envelope_header(writer, serialize::kClientKeyKind, payload);
  writer.u32(2);
  serialize::write_parameter_set_record(writer, first);
  serialize::write_parameter_set_record(writer, other);
  std::string bytes = std::move(out).str() + std::string(64 + 32, '\0');
  rechecksum(bytes);
  const std::string error = load_error(bytes, load_clients);
  EXPECT_NE(error.find("but not its noise"), std::string::npos) << error;
}

TEST(SerializePartitionKeys, EveryTruncationAndByteFlipOfTheClientKeysIsRejected) {
  const std::string bytes = saved_clients();
  expect_every_truncation_rejected(bytes, load_clients);
  expect_every_byte_flip_rejected(bytes, load_clients);
}

}  // namespace
}  // namespace veil::fhe
