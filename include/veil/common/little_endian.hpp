#pragma once
// Fixed little-endian encoding of integers and IEEE-754 doubles, whatever the host order: the
// one home for veil's formats (veil/common/byte_reader.hpp, byte_writer.hpp) and for parsing
// other programs' containers in memory (bounds-checked loads, below).
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "veil/common/error.hpp"

namespace veil {

inline void store_le64(std::uint64_t value, std::uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

inline std::uint64_t load_le64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{in[i]} << (8 * i);
  return value;
}

/// Byte-swaps each 8-byte word in place on big-endian hosts (a self-inverse step between
/// native 64-bit words and their little-endian encoding); no-op on little-endian hosts.
inline void swap_words_on_big_endian_inplace(std::span<std::uint8_t> bytes) {
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      store_le64(word, bytes.data() + i);
    }
  }
}
static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mixed-endian hosts are not supported");

/// FormatError "<what>: needs bytes [offset, offset + size) but only N are present (truncated?)"
/// unless `bytes` holds that range.
inline void require_range(std::span<const std::uint8_t> bytes, std::uint64_t offset, std::uint64_t size,
                          const std::string& what) {
  if (offset > bytes.size() || size > bytes.size() - offset)
    throw FormatError(what + ": needs bytes [" + std::to_string(offset) + ", " + std::to_string(offset + size) +
                      ") but only " + std::to_string(bytes.size()) + " are present (truncated?)");
}

/// The little-endian `T` at `offset` of `bytes`, after require_range.
template <std::unsigned_integral T>
T load_le(std::span<const std::uint8_t> bytes, std::uint64_t offset, const std::string& what) {
  require_range(bytes, offset, sizeof(T), what);
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(bytes[offset + i]) << (8 * i));
  return value;
}

}  // namespace veil
