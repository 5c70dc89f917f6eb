#pragma once
// Reads little-endian fields from a stream, hashing them for the checksum: the one reader of
// veil's files (the fhe formats, the compiler's model file; their envelope:
// veil/common/envelope.hpp). Every read names its field, so a short stream fails with
// "truncated at offset X: <field> needs N bytes". Reads can be fenced at the declared end of a
// payload, which bounds every allocation a loader makes by a length it has already checked.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "veil/common/sha256.hpp"

namespace veil {

class ByteReader {
 public:
  /// `what` names the object for messages, e.g. "server key".
  ByteReader(std::istream& in, std::string what);

  std::uint8_t u8(std::string_view field);
  std::uint16_t u16(std::string_view field);
  std::uint32_t u32(std::string_view field);
  std::uint64_t u64(std::string_view field);
  std::int32_t i32(std::string_view field) { return static_cast<std::int32_t>(u32(field)); }
  std::int64_t i64(std::string_view field) { return static_cast<std::int64_t>(u64(field)); }
  double f64(std::string_view field);
  std::string string(std::size_t length, std::string_view field);
  void bytes(std::span<std::uint8_t> out, std::string_view field);
  void u64_array(std::span<std::uint64_t> out, std::string_view field);
  void f64_array(std::span<double> out, std::string_view field);
  /// `count` values read in 1 MiB chunks, the vector growing with them: a count the stream
  /// cannot back allocates no more than what arrives (a pipe has no length to check it against).
  std::vector<std::int64_t> i64_vector(std::uint64_t count, std::string_view field);
  std::vector<double> f64_vector(std::uint64_t count, std::string_view field);
  /// Reads the trailing SHA-256 and compares it with the hash of everything read before.
  void checksum();

  /// Fails ("size mismatch") unless `count` items of at least `item_bytes` bytes each fit in
  /// bytes_left() (divide-first: a hostile count cannot overflow). Run before allocating them.
  void require_fit(std::uint64_t count, std::uint64_t item_bytes, std::string_view field) const;
  /// A u64 count that is at most `cap` and passes require_fit.
  std::uint64_t count(std::string_view field, std::uint64_t item_bytes, std::uint64_t cap);

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
  template <class Word>
  std::vector<Word> word_vector(std::uint64_t count, std::string_view field);

  std::istream& in_;
  std::string what_;
  Sha256 hash_;
  std::uint64_t offset_ = 0;
  std::optional<std::uint64_t> stream_end_;  // absolute end offset, if the stream is seekable
  std::optional<std::uint64_t> fence_;
};

}  // namespace veil
