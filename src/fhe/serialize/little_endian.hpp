#pragma once
// Fixed little-endian encoding of integers and IEEE-754 doubles, whatever the host order.
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>

namespace veil::fhe::serialize {

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

}  // namespace veil::fhe::serialize
