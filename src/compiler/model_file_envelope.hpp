#pragma once
// The envelope of the model file, byte for byte veil::fhe's (docs/serialization.md): magic
// "VEIL", 4-letter kind, u16 version, u16 flags (0), u64 payload length, payload, SHA-256 of
// everything before it; plus atomic file writes. veil::fhe's own helpers are internal to it.
#include <cstdint>
#include <filesystem>
#include <functional>
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

/// Writes `path`.tmp-<random> through `write`, then renames it over `path`; on failure the
/// temporary file is removed and `path` is untouched.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/// Opens `path` (IoError), runs `read`, then refuses trailing bytes (FormatError).
void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read);

}  // namespace veil::compiler::model_file
