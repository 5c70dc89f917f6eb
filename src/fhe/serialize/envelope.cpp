#include "fhe/serialize/envelope.hpp"

#include <array>
#include <cctype>
#include <string>

#include "veil/common/sha256.hpp"  // hex_digits

namespace veil::fhe::serialize {

namespace {

constexpr std::string_view kMagic = "VEIL";
constexpr std::array<ObjectKind, 5> kKinds{ObjectKind::parameter_set, ObjectKind::client_key, ObjectKind::server_key,
                                           ObjectKind::ciphertext_batch, ObjectKind::seeded_lwe_batch};

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

std::string_view kind_tag(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::parameter_set: return "PSET";
    case ObjectKind::client_key: return "CKEY";
    case ObjectKind::server_key: return "SKEY";
    case ObjectKind::ciphertext_batch: return "CTXT";
    case ObjectKind::seeded_lwe_batch: return "SLWE";
  }
  return "????";
}

std::string_view kind_name(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::parameter_set: return "parameter set";
    case ObjectKind::client_key: return "client key";
    case ObjectKind::server_key: return "server key";
    case ObjectKind::ciphertext_batch: return "ciphertext batch";
    case ObjectKind::seeded_lwe_batch: return "seeded LWE batch";
  }
  return "object";
}

std::string header_start(ObjectKind kind) { return std::string(kMagic) + std::string(kind_tag(kind)); }

namespace {
bool is_ciphertext(ObjectKind kind) {
  return kind == ObjectKind::ciphertext_batch || kind == ObjectKind::seeded_lwe_batch;
}
}  // namespace

std::uint16_t format_version(ObjectKind kind) {
  if (kind == ObjectKind::server_key) return kCompressedServerKeyFormatVersion;
  if (kind == ObjectKind::client_key) return kKeyFormatVersion;
  return is_ciphertext(kind) ? kCiphertextFormatVersion : kSerializationFormatVersion;
}

std::uint16_t oldest_format_version(ObjectKind kind) { return is_ciphertext(kind) ? kCiphertextFormatVersion : 1; }

void write_header(ByteWriter& writer, ObjectKind kind, std::uint64_t payload_bytes) {
  write_header(writer, kind, payload_bytes, format_version(kind));
}

void write_header(ByteWriter& writer, ObjectKind kind, std::uint64_t payload_bytes, std::uint16_t version) {
  const auto bytes = [](std::string_view s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  writer.bytes(bytes(kMagic));
  writer.bytes(bytes(kind_tag(kind)));
  writer.u16(version);
  writer.u16(0);  // flags, reserved
  writer.u64(payload_bytes);
}

std::uint16_t read_header(ByteReader& reader, ObjectKind expected, const LoadLimits& limits) {
  const std::string magic = reader.string(kMagic.size(), "magic");
  if (magic != kMagic) {
    reader.fail("bad magic \"" + printable(magic) + "\", expected \"VEIL\": not a veil file");
  }
  const std::string tag = reader.string(4, "object kind");
  if (tag != kind_tag(expected)) {
    std::string found = "unknown kind";
    for (const ObjectKind kind : kKinds) {
      if (tag == kind_tag(kind)) found = std::string(kind_name(kind));
    }
    reader.fail("object kind \"" + printable(tag) + "\" (" + found + "), expected \"" + std::string(kind_tag(expected)) +
                "\" (" + std::string(kind_name(expected)) + ")");
  }
  const std::uint16_t version = reader.u16("format version");
  // Key files of version 1 hold one parameter set; ciphertexts of version 1 had no context tag.
  const std::uint16_t oldest = oldest_format_version(expected), newest = format_version(expected);
  if (version < oldest || version > newest) {
    const std::string newest_text = std::to_string(newest);
    const std::string versions =
        oldest == newest ? "version " + newest_text : "versions " + std::to_string(oldest) + ".." + newest_text;
    const bool untagged = is_ciphertext(expected) && version < oldest;
    const char* why = untagged ? " (version 1 carries no context tag: make it again)" : "";
    reader.fail("format version " + std::to_string(version) + " unsupported, this build reads " + versions + " of a " +
                std::string(kind_name(expected)) + why);
  }
  const std::uint16_t flags = reader.u16("flags");
  if (flags != 0) reader.fail("flags " + std::to_string(flags) + " unsupported, expected 0");
  const std::uint64_t payload = reader.u64("payload length");
  if (payload > limits.max_payload_bytes) {
    reader.fail("payload length " + std::to_string(payload) + " exceeds the limit of " +
                std::to_string(limits.max_payload_bytes) + " bytes");
  }
  if (const auto left = reader.bytes_left_in_stream(); left && (payload > *left || *left - payload < kChecksumBytes)) {
    reader.fail("truncated: the header declares a payload of " + std::to_string(payload) + " bytes plus a " +
                std::to_string(kChecksumBytes) + "-byte checksum, the stream holds " + std::to_string(*left));
  }
  reader.fence_at(reader.offset() + payload);
  return version;
}

void read_trailer(ByteReader& reader) {
  if (const auto left = reader.bytes_left(); left && *left != 0) {
    reader.fail("payload length mismatch: the header declares " + std::to_string(*left) +
                " more bytes than the fields take");
  }
  reader.remove_fence();
  reader.checksum();
}

}  // namespace veil::fhe::serialize
