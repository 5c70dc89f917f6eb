#pragma once
// std::vector whose storage is 64-byte aligned, so that SIMD kernels can use
// aligned loads on Fourier-domain keys and scratch buffers.
#include <cstddef>
#include <new>
#include <vector>

namespace veil::fhe {

inline constexpr std::size_t kSimdAlignment = 64;

template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t count) {
    return static_cast<T*>(::operator new(count * sizeof(T), std::align_val_t(kSimdAlignment)));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kSimdAlignment)); }
  template <class U>
  friend bool operator==(const AlignedAllocator&, const AlignedAllocator<U>&) noexcept {
    return true;
  }
};

template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace veil::fhe
