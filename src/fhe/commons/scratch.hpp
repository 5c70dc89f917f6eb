#pragma once
// Carves typed, 64-byte-aligned buffers out of caller-provided scratch memory, so hot
// functions never allocate. ScratchSize computes the bytes the same carving needs.
#include <cstddef>
#include <span>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe::detail {

inline constexpr std::size_t kScratchAlign = 64;

inline constexpr std::size_t aligned_bytes(std::size_t bytes) {
  return (bytes + kScratchAlign - 1) / kScratchAlign * kScratchAlign;
}

/// Sums aligned buffer sizes; add kScratchAlign once for the alignment of the base pointer.
class ScratchSize {
 public:
  template <class T>
  ScratchSize& add(std::size_t count) {
    bytes_ += aligned_bytes(count * sizeof(T));
    return *this;
  }
  ScratchSize& add_bytes(std::size_t bytes) {
    bytes_ += aligned_bytes(bytes);
    return *this;
  }
  std::size_t total() const { return bytes_ + kScratchAlign; }

 private:
  std::size_t bytes_ = 0;
};

class ScratchCursor {
 public:
  ScratchCursor(std::span<std::byte> scratch, std::size_t required, const char* who) {
    if (scratch.size() < required) {
      throw InvalidArgument(std::string(who) + ": scratch of " + std::to_string(scratch.size()) +
                            " bytes, expected at least " + std::to_string(required));
    }
    const auto address = reinterpret_cast<std::uintptr_t>(scratch.data());
    const std::size_t skip = (kScratchAlign - address % kScratchAlign) % kScratchAlign;
    next_ = scratch.data() + skip;
    end_ = scratch.data() + scratch.size();
  }
  template <class T>
  T* take(std::size_t count) {
    T* p = reinterpret_cast<T*>(next_);
    next_ += aligned_bytes(count * sizeof(T));
    return p;
  }
  std::span<std::byte> rest() const { return {next_, static_cast<std::size_t>(end_ - next_)}; }

 private:
  std::byte* next_;
  std::byte* end_;
};

}  // namespace veil::fhe::detail
