#pragma once
// Little-endian fields of the model file's payload, built and parsed in memory. The reader
// names each field in its errors and checks every count against the bytes left before the
// caller allocates. (veil::fhe has its own stream reader and writer, internal to that layer.)
#include <cstdint>
#include <string>
#include <string_view>

#include "veil/common/sha256.hpp"  // the model file's checksum and fingerprint

namespace veil::compiler::model_file {

class PayloadWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void u16(std::uint16_t value) { little_endian(value, 2); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void i32(std::int32_t value) { little_endian(static_cast<std::uint32_t>(value), 4); }
  void i64(std::int64_t value) { little_endian(static_cast<std::uint64_t>(value), 8); }
  /// The IEEE-754 bit pattern.
  void f64(double value);
  void bytes(std::string_view data) { bytes_.append(data); }

  const std::string& bytes() const { return bytes_; }

 private:
  void little_endian(std::uint64_t value, int size);
  std::string bytes_;
};

class PayloadReader {
 public:
  /// `what` opens every message, e.g. "model file".
  PayloadReader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  std::uint8_t u8(std::string_view field) { return static_cast<std::uint8_t>(little_endian(field, 1)); }
  std::uint16_t u16(std::string_view field) { return static_cast<std::uint16_t>(little_endian(field, 2)); }
  std::uint64_t u64(std::string_view field) { return little_endian(field, 8); }
  std::int32_t i32(std::string_view field) { return static_cast<std::int32_t>(little_endian(field, 4)); }
  std::int64_t i64(std::string_view field) { return static_cast<std::int64_t>(little_endian(field, 8)); }
  double f64(std::string_view field);
  std::string_view bytes(std::size_t size, std::string_view field);

  /// A u64 count of items of at least `item_bytes` bytes each; fails if it exceeds `cap` or
  /// if that many items cannot fit in the bytes left (checked by division: no overflow).
  std::uint64_t count(std::string_view field, std::uint64_t item_bytes, std::uint64_t cap);

  std::size_t offset() const { return offset_; }
  std::size_t bytes_left() const { return bytes_.size() - offset_; }
  /// FormatError "<what>: <message> (at payload offset X)".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::uint64_t little_endian(std::string_view field, int size);

  std::string_view bytes_;
  std::string what_;
  std::size_t offset_ = 0;
};

}  // namespace veil::compiler::model_file
