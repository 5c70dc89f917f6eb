#pragma once
// LWE ciphertexts: n mask coefficients followed by the body, all in Z/2^64.
// Operations take spans ("views") of n+1 Torus values so that a compiler can apply
// them to ciphertexts stored inside large arrays without copying or allocating.
#include <cstddef>
#include <span>
#include <vector>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// A mutable view of one LWE ciphertext: n mask values then the body (size n+1).
using LweView = std::span<Torus>;
/// A read-only view of one LWE ciphertext (size n+1).
using LweConstView = std::span<const Torus>;

/// The LWE dimension of a view (its size minus the body).
inline LweDimension lwe_dimension_of(LweConstView ct) { return LweDimension(ct.size() - 1); }

/// One owning LWE ciphertext. Zero-initialised (a trivial encryption of 0).
class LweCiphertext {
 public:
  LweCiphertext() = default;
  explicit LweCiphertext(LweDimension n) : dimension_(n), data_(n.value + 1, 0) {}

  LweDimension dimension() const { return dimension_; }
  LweView view() { return data_; }
  LweConstView view() const { return data_; }
  std::span<Torus> mask() { return LweView(data_).first(dimension_.value); }
  std::span<const Torus> mask() const { return LweConstView(data_).first(dimension_.value); }
  Torus& body() { return data_.back(); }
  Torus body() const { return data_.back(); }

 private:
  LweDimension dimension_;
  std::vector<Torus> data_;
};

/// `count` LWE ciphertexts of one dimension stored contiguously (ciphertext i at
/// i*(n+1)): the layout of batch operations.
class LweCiphertextArray {
 public:
  LweCiphertextArray() = default;
  LweCiphertextArray(std::size_t count, LweDimension n)
      : count_(count), dimension_(n), data_(count * (n.value + 1), 0) {}

  std::size_t size() const { return count_; }
  LweDimension dimension() const { return dimension_; }
  LweView operator[](std::size_t i) { return LweView(data_).subspan(i * (dimension_.value + 1), dimension_.value + 1); }
  LweConstView operator[](std::size_t i) const {
    return LweConstView(data_).subspan(i * (dimension_.value + 1), dimension_.value + 1);
  }
  std::span<Torus> data() { return data_; }
  std::span<const Torus> data() const { return data_; }

 private:
  std::size_t count_ = 0;
  LweDimension dimension_;
  std::vector<Torus> data_;
};

}  // namespace veil::fhe
