#pragma once
// Lowercase hex of ids and tags, for messages and file names.
#include <cstdint>
#include <span>
#include <string>

namespace veil::fhe::serialize {

inline std::string hex_digits(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace veil::fhe::serialize
