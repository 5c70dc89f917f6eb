#include "compiler/model_file_envelope.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <istream>
#include <ostream>
#include <optional>

#include "compiler/model_file_bytes.hpp"
#include "veil/common/error.hpp"

namespace veil::compiler::model_file {

namespace {

constexpr std::string_view kMagic = "VEIL";
constexpr std::size_t kHeaderBytes = 20;
constexpr std::size_t kChecksumBytes = 32;
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isprint(u) && c != '\\') {
      out += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", u);
      out += escaped;
    }
  }
  return out;
}

/// Appends `size` bytes from `in` to `out` in chunks (a hostile length allocates only what
/// arrives); FormatError if the stream ends first.
void read_exactly(std::istream& in, std::string& out, std::size_t size, std::string_view field,
                  const EnvelopeKind& kind) {
  const std::size_t start = out.size();
  while (out.size() - start < size) {
    const std::size_t before = out.size();
    const std::size_t want = std::min(kChunkBytes, size - (before - start));
    out.resize(before + want);
    in.read(out.data() + before, static_cast<std::streamsize>(want));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got < want) {
      if (in.bad()) throw IoError(std::string(kind.what) + ": read error at offset " + std::to_string(before + got));
      throw FormatError(std::string(kind.what) + ": truncated at offset " + std::to_string(before + got) + ": " +
                        std::string(field) + " needs " + std::to_string(size) + " bytes from offset " +
                        std::to_string(start));
    }
  }
}

std::optional<std::uint64_t> bytes_left_in_stream(std::istream& in) {
  const std::istream::pos_type here = in.tellg();
  if (here == std::istream::pos_type(-1)) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::istream::pos_type end = in.tellg();
  in.clear();
  in.seekg(here);
  if (end == std::istream::pos_type(-1) || end < here || !in) return std::nullopt;
  return static_cast<std::uint64_t>(end - here);
}

}  // namespace

void write_sealed(std::ostream& out, const EnvelopeKind& kind, std::string_view payload) {
  PayloadWriter header;
  header.bytes(kMagic);
  header.bytes(kind.tag);
  header.u16(kind.version);
  header.u16(0);  // flags, reserved
  header.u64(payload.size());
  const Sha256Digest checksum = sha256({header.bytes(), payload});
  out.write(header.bytes().data(), static_cast<std::streamsize>(header.bytes().size()));
  out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  out.write(reinterpret_cast<const char*>(checksum.data()), static_cast<std::streamsize>(checksum.size()));
  if (!out) throw IoError(std::string(kind.what) + ": writing " + std::to_string(payload.size() + 52) + " bytes failed");
}

std::string read_sealed(std::istream& in, const EnvelopeKind& kind, std::uint64_t max_payload_bytes) {
  const std::optional<std::uint64_t> stream_bytes = bytes_left_in_stream(in);
  std::string header;
  read_exactly(in, header, kHeaderBytes, "header", kind);
  PayloadReader fields(header, std::string(kind.what));
  const std::string_view magic = fields.bytes(4, "magic");
  const auto fail = [&](const std::string& message) { throw FormatError(std::string(kind.what) + ": " + message); };
  if (magic != kMagic) fail("bad magic \"" + printable(magic) + "\", expected \"VEIL\": not a veil file");
  const std::string_view tag = fields.bytes(4, "kind");
  if (tag != kind.tag) fail("object kind \"" + printable(tag) + "\", expected \"" + std::string(kind.tag) + "\"");
  const std::uint16_t version = fields.u16("format version");
  if (version != kind.version) {
    fail("format version " + std::to_string(version) + " unsupported, this build reads version " +
         std::to_string(kind.version));
  }
  const std::uint16_t flags = fields.u16("flags");
  if (flags != 0) fail("flags " + std::to_string(flags) + " unsupported, expected 0");
  const std::uint64_t payload_bytes = fields.u64("payload length");
  if (payload_bytes > max_payload_bytes) {
    fail("payload length " + std::to_string(payload_bytes) + " exceeds the limit of " + std::to_string(max_payload_bytes) +
         " bytes");
  }
  if (stream_bytes && *stream_bytes - kHeaderBytes < payload_bytes + kChecksumBytes) {
    fail("truncated: the header declares a payload of " + std::to_string(payload_bytes) + " bytes plus a " +
         std::to_string(kChecksumBytes) + "-byte checksum, the stream holds " + std::to_string(*stream_bytes - kHeaderBytes) +
         " after the header");
  }
  std::string payload;
  read_exactly(in, payload, static_cast<std::size_t>(payload_bytes), "payload", kind);
  std::string stored;
  read_exactly(in, stored, kChecksumBytes, "SHA-256 checksum", kind);
  const Sha256Digest expected = sha256({header, payload});
  if (!std::equal(expected.begin(), expected.end(), reinterpret_cast<const std::uint8_t*>(stored.data()))) {
    fail("checksum mismatch: the SHA-256 stored in the file differs from the hash of its contents");
  }
  return payload;
}

}  // namespace veil::compiler::model_file
