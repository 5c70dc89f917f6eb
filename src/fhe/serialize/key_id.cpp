#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "fhe/serialize/little_endian.hpp"
#include "fhe/serialize/sha256.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

namespace {

// Versioned domain tag: a future derivation gets a new tag, never the same ids.
constexpr std::string_view kKeyIdDomain = "veil.fhe.key-id.v1";

void hash_length(serialize::Sha256& hash, std::size_t length) {
  std::uint8_t le[8];
  serialize::store_le64(length, le);
  hash.update(le);
}

void hash_bits(serialize::Sha256& hash, std::span<const Torus> bits) {
  hash_length(hash, bits.size());
  std::vector<std::uint8_t> bytes(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) bytes[i] = static_cast<std::uint8_t>(bits[i] & 1);
  hash.update(bytes);
}

}  // namespace

std::string KeyId::hex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

KeyId key_id_of(const ClientKey& client) {
  serialize::Sha256 hash;
  const auto as_bytes = [](std::string_view s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  // Every variable-length part is length-prefixed, so distinct keys never hash the same bytes.
  hash_length(hash, kKeyIdDomain.size());
  hash.update(as_bytes(kKeyIdDomain));
  hash_length(hash, client.parameters().name.size());
  hash.update(as_bytes(client.parameters().name));
  hash_bits(hash, client.small_key().bits());
  hash_bits(hash, client.glwe_key().flattened_bits());
  const serialize::Sha256Digest digest = hash.digest();
  KeyId id;
  std::copy_n(digest.begin(), id.bytes.size(), id.bytes.begin());
  return id;
}

}  // namespace veil::fhe
