#pragma once
// The envelope of every veil file (docs/serialization.md): a 20-byte header (magic "VEIL",
// 4-letter kind, u16 format version, u16 flags (0), u64 payload length), the payload, then the
// SHA-256 of header and payload. The fhe formats (PSET, CKEY, SKEY, CTXT, SLWE) and the
// compiler's model file (QCIR) are its kinds; each layer names its own.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "veil/common/byte_reader.hpp"
#include "veil/common/byte_writer.hpp"

namespace veil {

/// One kind of file: its tag and the versions this build reads.
struct EnvelopeKind {
  std::string_view tag;             // "QCIR": the 4 bytes after the magic
  std::string_view name;            // "model file": for messages
  std::uint16_t oldest_version;     // loaders read oldest_version..newest_version
  std::uint16_t newest_version;     // savers write it unless told otherwise
  std::string_view too_old_note{};  // why a version below oldest_version is refused, if it helps
};

inline constexpr std::uint64_t kEnvelopeHeaderBytes = 20;
inline constexpr std::uint64_t kEnvelopeChecksumBytes = 32;

/// The first 8 bytes of every file of `kind`: the magic "VEIL" and the kind's tag.
std::string envelope_start(const EnvelopeKind& kind);

/// The header of a payload of `payload_bytes`, at `kind.newest_version` or at `version`. The
/// payload follows; then ByteWriter::checksum.
void write_envelope_header(ByteWriter& writer, const EnvelopeKind& kind, std::uint64_t payload_bytes);
void write_envelope_header(ByteWriter& writer, const EnvelopeKind& kind, std::uint64_t payload_bytes,
                           std::uint16_t version);

/// Checks magic, kind, version, flags and the payload length (against `max_payload_bytes` and
/// against what the stream still holds), then fences the reader at the end of the payload.
/// Returns the file's format version. FormatError naming the first problem; where the caller
/// lists the kinds it knows (`known`), a wrong tag is named from them ("object kind \"SKEY\" (server
/// key), expected \"CKEY\" (client key)") or called an unknown kind.
std::uint16_t read_envelope_header(ByteReader& reader, const EnvelopeKind& expected, std::uint64_t max_payload_bytes,
                                   std::span<const EnvelopeKind> known = {});

/// Requires the payload to end exactly at the fence, then checks the checksum.
void read_envelope_trailer(ByteReader& reader);

}  // namespace veil
