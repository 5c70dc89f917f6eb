#pragma once
// The key-switching key from the big key (flattened GLWE key, dimension k*N) to the
// small LWE key (dimension n): for every input coefficient i and level j, an LWE
// encryption under the small key of s_big[i] * 2^(64 - base_log*(j+1)).
#include <cstddef>
#include <span>
#include <vector>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// Layout: input coefficient i → level j (0 the most significant) → n+1 Torus values.
class KeyswitchKey {
 public:
  KeyswitchKey() = default;
  KeyswitchKey(LweDimension input, LweDimension output, DecompositionBaseLog base_log, DecompositionLevelCount level)
      : input_(input),
        output_(output),
        base_log_(base_log),
        level_(level),
        data_(input.value * level.value * (output.value + 1), 0) {}

  LweDimension input_lwe_dimension() const { return input_; }
  LweDimension output_lwe_dimension() const { return output_; }
  DecompositionBaseLog base_log() const { return base_log_; }
  DecompositionLevelCount level_count() const { return level_; }

  /// The encryption for input coefficient i at level j (n+1 values).
  std::span<const Torus> row(std::size_t i, std::size_t j) const {
    return std::span<const Torus>(data_).subspan((i * level_.value + j) * (output_.value + 1), output_.value + 1);
  }
  std::span<Torus> row(std::size_t i, std::size_t j) {
    return std::span<Torus>(data_).subspan((i * level_.value + j) * (output_.value + 1), output_.value + 1);
  }
  std::span<Torus> data() { return data_; }
  std::span<const Torus> data() const { return data_; }
  std::size_t size_bytes() const { return data_.size() * sizeof(Torus); }

 private:
  LweDimension input_;
  LweDimension output_;
  DecompositionBaseLog base_log_;
  DecompositionLevelCount level_;
  std::vector<Torus> data_;
};

}  // namespace veil::fhe
