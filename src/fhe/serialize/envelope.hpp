#pragma once
// The envelope shared by every format: a 20-byte header (magic "VEIL", 4-letter kind,
// format version, reserved flags, payload length), the payload, then a SHA-256 of
// header and payload. See docs/serialization.md.
#include <cstdint>
#include <string>
#include <string_view>

#include "fhe/serialize/byte_reader.hpp"
#include "fhe/serialize/byte_writer.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe::serialize {

enum class ObjectKind { parameter_set, client_key, server_key, ciphertext_batch, seeded_lwe_batch };

/// "PSET", "CKEY", "SKEY", "CTXT", "SLWE": the 4 bytes after the magic.
std::string_view kind_tag(ObjectKind kind);
/// "parameter set", "client key", ...: for messages.
std::string_view kind_name(ObjectKind kind);

/// The first 8 bytes of every file of `kind`: the magic "VEIL" and the kind's tag.
std::string header_start(ObjectKind kind);

inline constexpr std::uint64_t kHeaderBytes = 20;
inline constexpr std::uint64_t kChecksumBytes = 32;

/// The newest version this build reads for `kind`, which it writes unless told otherwise:
/// kKeyFormatVersion for client keys, kCompressedServerKeyFormatVersion for server keys,
/// kCiphertextFormatVersion for ciphertext and seeded batches, else kSerializationFormatVersion.
std::uint16_t format_version(ObjectKind kind);
/// The oldest version loaders read: 1, but the current one for ciphertext and seeded batches
/// (version 1 had no context tag, and ciphertexts are made again rather than kept).
std::uint16_t oldest_format_version(ObjectKind kind);

void write_header(ByteWriter& writer, ObjectKind kind, std::uint64_t payload_bytes);
/// The same with an older `version` of the kind (expanded server keys).
void write_header(ByteWriter& writer, ObjectKind kind, std::uint64_t payload_bytes, std::uint16_t version);

/// Checks magic, kind, version, flags and the payload length (against `limits` and against
/// what the stream still holds), then fences the reader at the end of the payload. Returns the
/// file's format version.
std::uint16_t read_header(ByteReader& reader, ObjectKind expected, const LoadLimits& limits);

/// Requires the payload to end exactly at the fence, then checks the checksum.
void read_trailer(ByteReader& reader);

}  // namespace veil::fhe::serialize
