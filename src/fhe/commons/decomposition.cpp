// The plain loops below vectorise; GCC's default 256-bit preference would halve their width
// on AVX-512 machines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("prefer-vector-width=512")
#endif
#include "veil/fhe/decomposition.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

SignedDecomposer::SignedDecomposer(DecompositionBaseLog base_log, DecompositionLevelCount level)
    : base_log_(static_cast<int>(base_log.value)), level_(static_cast<int>(level.value)) {
  if (base_log.value < 1 || level.value < 1 || base_log.value * level.value >= 64) {
    throw InvalidArgument("SignedDecomposer: base_log " + std::to_string(base_log.value) + ", level " +
                          std::to_string(level.value) + ", expected base_log >= 1, level >= 1, base_log*level < 64");
  }
}

namespace {

// One pass over the values with every level computed in registers. Inlined where `levels` is a
// constant, the level loop unrolls and the value loop vectorises (instead of one pass over
// memory per level).
[[gnu::always_inline]] inline void decompose_levels(const Torus* __restrict in, std::size_t n,
                                                    std::int64_t* __restrict digits, int b, int shift, int levels) {
  const Torus mask = (Torus{1} << b) - 1;
  for (std::size_t c = 0; c < n; ++c) {
    Torus state = ((in[c] >> (shift - 1)) + 1) >> 1;  // the kept b*levels bits, rounded
    for (int j = levels - 1; j >= 1; --j) {
      const Torus digit = state & mask;
      const Torus carry = digit >> (b - 1);  // digit >= B/2
      state = (state >> b) + carry;
      digits[static_cast<std::size_t>(j) * n + c] = static_cast<std::int64_t>(digit - (carry << b));
    }
    const Torus digit = state & mask;
    digits[c] = static_cast<std::int64_t>(digit - ((digit >> (b - 1)) << b));
  }
}

}  // namespace

void SignedDecomposer::decompose_slice(const Torus* __restrict in, std::size_t n,
                                       std::int64_t* __restrict digits) const {
  const int b = base_log_, shift = 64 - base_log_ * level_;
  switch (level_) {  // the vetted sets' level counts, each with its own unrolled loop
    case 1: return decompose_levels(in, n, digits, b, shift, 1);
    case 2: return decompose_levels(in, n, digits, b, shift, 2);
    case 3: return decompose_levels(in, n, digits, b, shift, 3);
    case 4: return decompose_levels(in, n, digits, b, shift, 4);
    case 5: return decompose_levels(in, n, digits, b, shift, 5);
    case 6: return decompose_levels(in, n, digits, b, shift, 6);
    case 7: return decompose_levels(in, n, digits, b, shift, 7);
    case 8: return decompose_levels(in, n, digits, b, shift, 8);
    default: return decompose_levels(in, n, digits, b, shift, level_);
  }
}

Torus SignedDecomposer::recompose(std::span<const std::int64_t> digits) const {
  Torus sum = 0;
  for (int j = 0; j < level_ && j < static_cast<int>(digits.size()); ++j) {
    sum += static_cast<Torus>(digits[j]) << (64 - base_log_ * (j + 1));
  }
  return sum;
}

}  // namespace veil::fhe
