#pragma once
// Little-endian field access with bounds checks, for parsing untrusted containers.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "veil/common/error.hpp"

namespace veil::io::detail {

inline void require_range(std::span<const std::uint8_t> bytes, std::uint64_t offset, std::uint64_t size,
                          const std::string& what) {
  if (offset > bytes.size() || size > bytes.size() - offset)
    throw FormatError(what + ": needs bytes [" + std::to_string(offset) + ", " + std::to_string(offset + size) +
                      ") but only " + std::to_string(bytes.size()) + " are present (truncated?)");
}

template <typename T>
T load_le(std::span<const std::uint8_t> bytes, std::uint64_t offset, const std::string& what) {
  require_range(bytes, offset, sizeof(T), what);
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(bytes[offset + i]) << (8 * i));
  return value;
}

}  // namespace veil::io::detail
