#pragma once
// Small field helpers shared by the formats: key ids, context tags, key kinds and dimension
// checks against the parameter set. (Before any large allocation the formats run
// ByteReader::require_fit: does the array fit in what is left of the payload.)
#include <cstdint>
#include <string>
#include <string_view>

#include "veil/common/byte_reader.hpp"
#include "veil/common/byte_writer.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe::serialize {

inline constexpr std::uint64_t kKeyIdBytes = 16;

inline void write_key_id(ByteWriter& writer, const KeyId& id) { writer.bytes(id.bytes); }

inline KeyId read_key_id(ByteReader& reader) {
  KeyId id;
  reader.bytes(id.bytes, "key id");
  return id;
}

inline constexpr std::uint64_t kContextTagBytes = 32;

inline void write_context_tag(ByteWriter& writer, const ContextTag& tag) { writer.bytes(tag.bytes); }

inline ContextTag read_context_tag(ByteReader& reader) {
  ContextTag tag;
  reader.bytes(tag.bytes, "context tag");
  return tag;
}

/// Reads a u64 that must equal `expected` (a size the parameter set fixes).
inline void read_expected_u64(ByteReader& reader, const ParameterSet& params, std::string_view field,
                              std::uint64_t expected) {
  const std::uint64_t stored = reader.u64(field);
  if (stored != expected) {
    reader.fail("size mismatch: " + std::string(field) + " = " + std::to_string(stored) + ", parameter set '" +
                params.name + "' requires " + std::to_string(expected));
  }
}

/// The LWE dimension of ciphertexts under the small key (n) or the big key (k*N).
inline LweDimension lwe_dimension_for(const ParameterSet& params, LweKeyKind kind) {
  return kind == LweKeyKind::small ? params.lwe_dimension : params.big_lwe_dimension();
}

inline const char* key_kind_name(LweKeyKind kind) { return kind == LweKeyKind::small ? "small key" : "big key"; }

/// The key-kind byte of ciphertext payloads: 0 small key, 1 big key.
inline void write_key_kind(ByteWriter& writer, LweKeyKind kind) { writer.u8(kind == LweKeyKind::small ? 0 : 1); }

inline LweKeyKind read_key_kind(ByteReader& reader) {
  const std::uint8_t kind = reader.u8("key kind");
  if (kind > 1) reader.fail("key kind " + std::to_string(kind) + ", expected 0 (small key) or 1 (big key)");
  return kind == 0 ? LweKeyKind::small : LweKeyKind::big;
}

/// Reads the u64 LWE dimension that must equal `kind`'s in `params`; returns it.
inline LweDimension read_lwe_dimension(ByteReader& reader, const ParameterSet& params, LweKeyKind kind) {
  const LweDimension n = lwe_dimension_for(params, kind);
  read_expected_u64(reader, params, std::string("LWE dimension of ") + key_kind_name(kind) + " ciphertexts", n.value);
  return n;
}

/// The registry's set of that name, with the same fields as `params`; throws
/// InvalidArgument otherwise (only registered sets can be written, since only they load).
const ParameterSet& require_registered(const ParameterSet& params);

}  // namespace veil::fhe::serialize
