#pragma once
// Device memory owned by one object (cudaMalloc/cudaFree), grown on demand.
#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <utility>

#include "fhe/cuda/cuda_check.hpp"

namespace veil::fhe::cuda {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) { reserve(count); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(capacity_, other.capacity_);
    return *this;
  }
  ~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);  // a destructor must not throw: a failure is ignored
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t bytes() const { return capacity_ * sizeof(T); }

  /// Room for at least `count` elements; contents are not kept when it grows.
  void reserve(std::size_t count) {
    if (count <= capacity_) return;
    if (data_ != nullptr) check(cudaFree(data_), "cudaFree");
    data_ = nullptr;
    capacity_ = 0;
    void* memory = nullptr;
    check(cudaMalloc(&memory, count * sizeof(T)),
          ("cudaMalloc of " + std::to_string(count * sizeof(T)) + " bytes").c_str());
    data_ = static_cast<T*>(memory);
    capacity_ = count;
  }

  /// Copies `count` elements from the host (synchronously) after reserving room.
  void assign(const T* host, std::size_t count) {
    reserve(count);
    if (count != 0) check(cudaMemcpy(data_, host, count * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy to device");
  }

 private:
  T* data_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace veil::fhe::cuda
