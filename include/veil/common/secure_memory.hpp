#pragma once
// Memory that held a secret is overwritten before it goes back to the allocator, so that a later
// allocation, a core dump or swapped-out pages do not carry the secret key after its use
// (TFHE-rs and SEAL do the same for their secret keys). Only the secret key's bits and the
// buffers that carry them in and out of files use it.
#include <cstddef>
#include <new>
#include <vector>

namespace veil {

/// Overwrites `bytes` bytes at `data` with zeros; the compiler may not remove it as a dead store.
void secure_zero(void* data, std::size_t bytes) noexcept;

/// std::allocator that zeroes every block it frees (with secure_zero).
template <class T>
struct ZeroingAllocator {
  using value_type = T;
  ZeroingAllocator() = default;
  template <class U>
  ZeroingAllocator(const ZeroingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_zero(p, n * sizeof(T));
    ::operator delete(p);
  }
  template <class U>
  bool operator==(const ZeroingAllocator<U>&) const noexcept {
    return true;
  }
};

/// A vector whose storage is zeroed when freed (also on reallocation).
template <class T>
using SecretVector = std::vector<T, ZeroingAllocator<T>>;

}  // namespace veil
