#pragma once
// Writes little-endian fields to a stream, counting the bytes and hashing them for the
// trailing checksum: the one writer of veil's files (the counterpart of byte_reader.hpp).
// Throws IoError naming the offset when the stream fails.
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string_view>

#include "veil/common/sha256.hpp"

namespace veil {

class ByteWriter {
 public:
  explicit ByteWriter(std::ostream& out) : out_(out) {}

  void u8(std::uint8_t value);
  void u16(std::uint16_t value);
  void u32(std::uint32_t value);
  void u64(std::uint64_t value);
  void i32(std::int32_t value) { u32(static_cast<std::uint32_t>(value)); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  /// The IEEE-754 bit pattern.
  void f64(double value);
  void bytes(std::span<const std::uint8_t> data);
  /// The characters' bytes, no length (ByteReader::string reads them back).
  void string(std::string_view text);
  void u64_array(std::span<const std::uint64_t> values);
  void i64_array(std::span<const std::int64_t> values);
  void f64_array(std::span<const double> values);
  /// Appends the SHA-256 of every byte written so far (not itself hashed).
  void checksum();

  std::uint64_t offset() const { return offset_; }

 private:
  void raw(const void* data, std::size_t size, bool hashed = true);
  template <class Word>
  void word_array(std::span<const Word> values);

  std::ostream& out_;
  Sha256 hash_;
  std::uint64_t offset_ = 0;
};

}  // namespace veil
