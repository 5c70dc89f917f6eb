#include "veil/common/envelope.hpp"

#include <cctype>

namespace veil {

namespace {

constexpr std::string_view kMagic = "VEIL";

/// `bytes` with anything unprintable (and backslashes) as \xNN: tags and magics from hostile files.
std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isprint(u) && c != '\\') {
      out += c;
    } else {
      out += "\\x" + hex_digits(std::span<const std::uint8_t>(&u, 1));
    }
  }
  return out;
}

}  // namespace

std::string envelope_start(const EnvelopeKind& kind) { return std::string(kMagic) + std::string(kind.tag); }

void write_envelope_header(ByteWriter& writer, const EnvelopeKind& kind, std::uint64_t payload_bytes) {
  write_envelope_header(writer, kind, payload_bytes, kind.newest_version);
}

void write_envelope_header(ByteWriter& writer, const EnvelopeKind& kind, std::uint64_t payload_bytes,
                           std::uint16_t version) {
  writer.string(envelope_start(kind));
  writer.u16(version);
  writer.u16(0);  // flags, reserved
  writer.u64(payload_bytes);
}

std::uint16_t read_envelope_header(ByteReader& reader, const EnvelopeKind& expected, std::uint64_t max_payload_bytes,
                                   std::span<const EnvelopeKind> known) {
  const std::string magic = reader.string(kMagic.size(), "magic");
  if (magic != kMagic) {
    reader.fail("bad magic \"" + printable(magic) + "\", expected \"VEIL\": not a veil file");
  }
  const std::string tag = reader.string(4, "object kind");
  if (tag != expected.tag) {
    std::string found = known.empty() ? "" : " (unknown kind)";
    for (const EnvelopeKind& kind : known) {
      if (tag == kind.tag) found = " (" + std::string(kind.name) + ")";
    }
    reader.fail("object kind \"" + printable(tag) + "\"" + found + ", expected \"" + std::string(expected.tag) +
                "\" (" + std::string(expected.name) + ")");
  }
  const std::uint16_t version = reader.u16("format version");
  const std::uint16_t oldest = expected.oldest_version, newest = expected.newest_version;
  if (version < oldest || version > newest) {
    const std::string newest_text = std::to_string(newest);
    const std::string versions =
        oldest == newest ? "version " + newest_text : "versions " + std::to_string(oldest) + ".." + newest_text;
    const std::string note =
        version < oldest && !expected.too_old_note.empty() ? " (" + std::string(expected.too_old_note) + ")" : "";
    reader.fail("format version " + std::to_string(version) + " unsupported, this build reads " + versions + " of a " +
                std::string(expected.name) + note);
  }
  const std::uint16_t flags = reader.u16("flags");
  if (flags != 0) reader.fail("flags " + std::to_string(flags) + " unsupported, expected 0");
  const std::uint64_t payload = reader.u64("payload length");
  if (payload > max_payload_bytes) {
    reader.fail("payload length " + std::to_string(payload) + " exceeds the limit of " +
                std::to_string(max_payload_bytes) + " bytes");
  }
  if (const auto left = reader.bytes_left_in_stream();
      left && (payload > *left || *left - payload < kEnvelopeChecksumBytes)) {
    reader.fail("truncated: the header declares a payload of " + std::to_string(payload) + " bytes plus a " +
                std::to_string(kEnvelopeChecksumBytes) + "-byte checksum, the stream holds " + std::to_string(*left));
  }
  reader.fence_at(reader.offset() + payload);
  return version;
}

void read_envelope_trailer(ByteReader& reader) {
  if (const auto left = reader.bytes_left(); left && *left != 0) {
    reader.fail("payload length mismatch: the header declares " + std::to_string(*left) +
                " more bytes than the fields take");
  }
  reader.remove_fence();
  reader.checksum();
}

}  // namespace veil
