#pragma once
// Ciphertexts kept where a backend computes on them, so that a run's values stay there between
// batches and only its input and output cross to the host (docs/cuda_backend.md, "Rows on the
// device"). The CPU backend keeps them in host memory; the CUDA backend in device memory.
#include <cstddef>

#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// `size()` ciphertexts of one dimension, made by Backend::make_resident and read or written only
/// through the backend that made them.
class ResidentArray {
 public:
  virtual ~ResidentArray() = default;
  ResidentArray(const ResidentArray&) = delete;
  ResidentArray& operator=(const ResidentArray&) = delete;

  std::size_t size() const { return size_; }
  LweDimension dimension() const { return dimension_; }
  std::size_t bytes() const { return size_ * (dimension_.value + 1) * sizeof(Torus); }

 protected:
  ResidentArray(std::size_t size, LweDimension dimension) : size_(size), dimension_(dimension) {}

 private:
  std::size_t size_;
  LweDimension dimension_;
};

/// The resident array of backends that compute in host memory: an LweCiphertextArray.
class HostResidentArray final : public ResidentArray {
 public:
  HostResidentArray(std::size_t size, LweDimension dimension)
      : ResidentArray(size, dimension), values(size, dimension) {}

  LweCiphertextArray values;
};

}  // namespace veil::fhe
