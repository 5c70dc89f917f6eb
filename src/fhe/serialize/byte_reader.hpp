#pragma once
// Reads little-endian fields from a stream, hashing them for the checksum. Every read
// names its field, so a short stream fails with "truncated at offset X: <field> needs N
// bytes". Reads can be fenced at the declared end of a payload, which bounds every
// allocation a loader makes by a length it has already checked.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "veil/common/sha256.hpp"

namespace veil::fhe::serialize {

class ByteReader {
 public:
  /// `what` names the object for messages, e.g. "server key".
  ByteReader(std::istream& in, std::string what);

  std::uint8_t u8(std::string_view field);
  std::uint16_t u16(std::string_view field);
  std::uint32_t u32(std::string_view field);
  std::uint64_t u64(std::string_view field);
  double f64(std::string_view field);
  std::string string(std::size_t length, std::string_view field);
  void bytes(std::span<std::uint8_t> out, std::string_view field);
  void u64_array(std::span<std::uint64_t> out, std::string_view field);
  void f64_array(std::span<double> out, std::string_view field);
  /// Reads the trailing SHA-256 and compares it with the hash of everything read before.
  void checksum();

  std::uint64_t offset() const { return offset_; }
  /// Bytes between the current position and the end of the stream, if the stream can tell.
  std::optional<std::uint64_t> bytes_left_in_stream() const;
  /// Bytes left before the fence, or before the end of the stream if there is no fence.
  std::optional<std::uint64_t> bytes_left() const;
  /// Reads that would cross `end_offset` fail (the payload length the header declared).
  void fence_at(std::uint64_t end_offset) { fence_ = end_offset; }
  void remove_fence() { fence_.reset(); }

  /// A FormatError "<what>: <message> (at offset X)".
  [[noreturn]] void fail(const std::string& message) const;
  const std::string& what() const { return what_; }

 private:
  void raw(void* out, std::size_t size, std::string_view field, bool hashed = true);

  std::istream& in_;
  std::string what_;
  Sha256 hash_;
  std::uint64_t offset_ = 0;
  std::optional<std::uint64_t> stream_end_;  // absolute end offset, if the stream is seekable
  std::optional<std::uint64_t> fence_;
};

}  // namespace veil::fhe::serialize
