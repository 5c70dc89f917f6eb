#include "veil/fhe/decomposition.hpp"

#include <string>

#include "fhe/cpu/cpu_kernels.hpp"
#include "veil/common/error.hpp"

namespace veil::fhe {

SignedDecomposer::SignedDecomposer(DecompositionBaseLog base_log, DecompositionLevelCount level)
    : base_log_(static_cast<int>(base_log.value)), level_(static_cast<int>(level.value)) {
  if (base_log.value < 1 || level.value < 1 || base_log.value * level.value >= 64) {
    throw InvalidArgument("SignedDecomposer: base_log " + std::to_string(base_log.value) + ", level " +
                          std::to_string(level.value) + ", expected base_log >= 1, level >= 1, base_log*level < 64");
  }
}

void SignedDecomposer::decompose_slice(const Torus* in, std::size_t n, std::int64_t* digits) const {
  cpu::cpu_kernels().decompose(in, n, digits, base_log_, level_);  // vectorised per ISA
}

Torus SignedDecomposer::recompose(std::span<const std::int64_t> digits) const {
  Torus sum = 0;
  for (int j = 0; j < level_ && j < static_cast<int>(digits.size()); ++j) {
    sum += static_cast<Torus>(digits[j]) << (64 - base_log_ * (j + 1));
  }
  return sum;
}

}  // namespace veil::fhe
