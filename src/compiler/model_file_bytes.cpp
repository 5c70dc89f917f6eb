#include "compiler/model_file_bytes.hpp"

#include <bit>

#include "veil/common/error.hpp"

namespace veil::compiler::model_file {

void PayloadWriter::f64(double value) { u64(std::bit_cast<std::uint64_t>(value)); }

void PayloadWriter::little_endian(std::uint64_t value, int size) {
  for (int i = 0; i < size; ++i) bytes_.push_back(static_cast<char>(value >> (8 * i)));
}

double PayloadReader::f64(std::string_view field) { return std::bit_cast<double>(u64(field)); }

std::string_view PayloadReader::bytes(std::size_t size, std::string_view field) {
  if (size > bytes_left()) {
    fail("truncated payload: " + std::string(field) + " needs " + std::to_string(size) + " bytes, " +
         std::to_string(bytes_left()) + " are left");
  }
  const std::string_view out = bytes_.substr(offset_, size);
  offset_ += size;
  return out;
}

std::uint64_t PayloadReader::count(std::string_view field, std::uint64_t item_bytes, std::uint64_t cap) {
  const std::uint64_t value = u64(field);
  if (value > cap) fail(std::string(field) + " " + std::to_string(value) + " exceeds the limit of " + std::to_string(cap));
  if (item_bytes > 0 && value > bytes_left() / item_bytes) {
    fail("size mismatch: " + std::string(field) + " " + std::to_string(value) + " items of at least " +
         std::to_string(item_bytes) + " bytes do not fit in the " + std::to_string(bytes_left()) + " bytes left");
  }
  return value;
}

void PayloadReader::fail(const std::string& message) const {
  throw FormatError(what_ + ": " + message + " (at payload offset " + std::to_string(offset_) + ")");
}

std::uint64_t PayloadReader::little_endian(std::string_view field, int size) {
  const std::string_view le = bytes(static_cast<std::size_t>(size), field);
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value |= std::uint64_t{static_cast<std::uint8_t>(le[static_cast<std::size_t>(i)])} << (8 * i);
  return value;
}

}  // namespace veil::compiler::model_file
