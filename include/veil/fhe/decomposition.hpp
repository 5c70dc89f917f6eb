#pragma once
// Signed (balanced) gadget decomposition of torus values: x is first rounded to its top
// base_log*level bits, then written as sum_j d_j * 2^(64 - base_log*(j+1)), j = 0 the most
// significant level, with digits d_j in [-B/2, B/2), B = 2^base_log.
#include <cstddef>
#include <cstdint>
#include <span>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

class SignedDecomposer {
 public:
  /// Throws InvalidArgument unless 1 <= base_log, 1 <= level and base_log*level < 64.
  SignedDecomposer(DecompositionBaseLog base_log, DecompositionLevelCount level);

  DecompositionBaseLog base_log() const { return DecompositionBaseLog(base_log_); }
  DecompositionLevelCount level_count() const { return DecompositionLevelCount(level_); }

  /// x rounded to the nearest multiple of 2^(64 - base_log*level) (mod 2^64).
  Torus closest_representable(Torus x) const {
    const int shift = 64 - base_log_ * level_;
    const Torus rounded = (x >> (shift - 1)) + 1;  // add half of the dropped part's unit
    return (rounded >> 1) << shift;
  }

  /// digits[j] for j in [0, level): the balanced digits of closest_representable(x).
  void decompose(Torus x, std::int64_t* digits) const {
    const int shift = 64 - base_log_ * level_;
    Torus state = ((x >> (shift - 1)) + 1) >> 1;  // the kept base_log*level bits, rounded
    const Torus mask = (Torus{1} << base_log_) - 1;
    const Torus half = Torus{1} << (base_log_ - 1);
    for (int j = level_ - 1; j >= 0; --j) {
      Torus digit = state & mask;
      state >>= base_log_;
      const Torus carry = digit >= half ? 1 : 0;
      state += carry;
      digits[j] = static_cast<std::int64_t>(digit) - static_cast<std::int64_t>(carry << base_log_);
    }
  }

  /// The digits of n values at once, level-major: digits[j*n + c] = level j of in[c], same
  /// values as decompose(). Runs the CPU kernels' loop, vectorised per ISA. No overlap.
  void decompose_slice(const Torus* in, std::size_t n, std::int64_t* digits) const;

  /// sum_j digits[j] * 2^(64 - base_log*(j+1)) mod 2^64.
  Torus recompose(std::span<const std::int64_t> digits) const;

 private:
  int base_log_;
  int level_;
};

}  // namespace veil::fhe
