#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"
#include "veil/common/secure_memory.hpp"
#include "veil/common/sha256.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

namespace {

// Versioned domain tags: a future derivation gets a new tag, never the same ids.
constexpr std::string_view kKeyIdDomain = "veil.fhe.key-id.v1";
constexpr std::string_view kPartitionedKeyIdDomain = "veil.fhe.partitioned-key-id.v1";

KeyId truncated(const Sha256Digest& digest) {
  KeyId id;
  std::copy_n(digest.begin(), id.bytes.size(), id.bytes.begin());
  return id;
}

void hash_length(Sha256& hash, std::size_t length) {
  std::uint8_t le[8];
  store_le64(length, le);
  hash.update(le);
}

void hash_bits(Sha256& hash, std::span<const Torus> bits) {
  hash_length(hash, bits.size());
  SecretVector<std::uint8_t> bytes(bits.size());  // the key's bits: zeroed when freed
  for (std::size_t i = 0; i < bits.size(); ++i) bytes[i] = static_cast<std::uint8_t>(bits[i] & 1);
  hash.update(bytes);
}

// Every variable-length part is length-prefixed, so distinct keys never hash the same bytes.
void hash_string(Sha256& hash, std::string_view s) {
  hash_length(hash, s.size());
  hash.update(s);
}

}  // namespace

std::string KeyId::hex() const { return hex_digits(bytes); }

KeyId key_id_of(const ClientKey& client) {
  Sha256 hash;
  hash_string(hash, kKeyIdDomain);
  hash_string(hash, client.parameters().name);
  hash_bits(hash, client.small_key().bits());
  hash_bits(hash, client.glwe_key().flattened_bits());
  return truncated(hash.digest());
}

KeyId key_id_of(std::span<const ClientKey> partitions) {
  if (partitions.empty()) throw InvalidArgument("key_id_of: no partition keys");
  // One partition keeps the single-set id, so that version-1 files and their ciphertexts still match.
  if (partitions.size() == 1) return key_id_of(partitions[0]);
  Sha256 hash;
  hash_string(hash, kPartitionedKeyIdDomain);
  hash_length(hash, partitions.size());
  for (const ClientKey& key : partitions) {
    hash_string(hash, key.parameters().name);
    hash_bits(hash, key.small_key().bits());
  }
  hash_bits(hash, widest_partition_key(partitions).glwe_key().flattened_bits());  // holds every prefix
  return truncated(hash.digest());
}

}  // namespace veil::fhe
