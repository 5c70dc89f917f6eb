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

void SignedDecomposer::decompose_slice(const Torus* __restrict in, std::size_t n,
                                       std::int64_t* __restrict digits) const {
  const int shift = 64 - base_log_ * level_;
  const int b = base_log_;
  const Torus mask = (Torus{1} << b) - 1;
  if (level_ == 1) {  // one pass (the PBS of most sets): no running state to keep
    for (std::size_t c = 0; c < n; ++c) {
      const Torus digit = (((in[c] >> (shift - 1)) + 1) >> 1) & mask;
      digits[c] = static_cast<std::int64_t>(digit - ((digit >> (b - 1)) << b));
    }
    return;
  }
  // Level 0's slot holds the running state until level 0 itself is written.
  auto* state = reinterpret_cast<Torus*>(digits);
  for (std::size_t c = 0; c < n; ++c) state[c] = ((in[c] >> (shift - 1)) + 1) >> 1;
  for (int j = level_ - 1; j >= 1; --j) {
    std::int64_t* __restrict out = digits + static_cast<std::size_t>(j) * n;
    for (std::size_t c = 0; c < n; ++c) {
      const Torus digit = state[c] & mask;
      const Torus carry = digit >> (b - 1);  // digit >= B/2
      state[c] = (state[c] >> b) + carry;
      out[c] = static_cast<std::int64_t>(digit - (carry << b));
    }
  }
  for (std::size_t c = 0; c < n; ++c) {
    const Torus digit = state[c] & mask;
    digits[c] = static_cast<std::int64_t>(digit - ((digit >> (b - 1)) << b));
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
