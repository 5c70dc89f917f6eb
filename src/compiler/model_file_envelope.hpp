#pragma once
// The envelope of the model file, byte for byte veil::fhe's (docs/serialization.md): magic
// "VEIL", 4-letter kind, u16 version, u16 flags (0), u64 payload length, payload, SHA-256 of
// everything before it; veil::fhe's envelope
// helpers are internal to it. Atomic file writes: veil/common/file_io.hpp.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace veil::compiler::model_file {

struct EnvelopeKind {
  std::string_view tag;   // "QCIR"
  std::uint16_t version;  // the only version loaders accept
  std::string_view what;  // "model file": opens messages
};

/// Header, payload, checksum. IoError if the stream fails.
void write_sealed(std::ostream& out, const EnvelopeKind& kind, std::string_view payload);

/// The payload of the next object in `in`, after checking magic, kind, version, flags, the
/// payload length (<= max_payload_bytes, and what a seekable stream still holds) and the
/// checksum. FormatError naming the first problem.
std::string read_sealed(std::istream& in, const EnvelopeKind& kind, std::uint64_t max_payload_bytes);

}  // namespace veil::compiler::model_file
