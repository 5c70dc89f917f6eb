#pragma once
// The bootstrapping key's Fourier polynomials, from the CPU transform's layout (N/2 real parts
// then N/2 imaginary parts, in bit-reversed order: cpu/negacyclic_fft.hpp) to the device's
// (N/2 complex values in natural order, as cuFFT computes them; or, for the fused kernel whose
// FFT is the CPU's, in the CPU's bit-reversed order). Host code.
#include <cstddef>
#include <cstdint>

#include "fhe/cuda/device_steps.hpp"

namespace veil::fhe::cuda {

/// Where natural-order point q sits in the CPU's order: q with its log2(half) bits reversed.
inline std::size_t bit_reversed(std::size_t q, std::size_t half) {
  std::size_t reversed = 0;
  for (std::size_t bit = 1; bit < half; bit <<= 1) {
    reversed = (reversed << 1) | (q & 1);
    q >>= 1;
  }
  return reversed;
}

/// One CPU Fourier buffer (2*half doubles) as `half` complex values in natural order.
inline void to_natural_order(const double* cpu, std::size_t half, Complex* out) {
  for (std::size_t q = 0; q < half; ++q) {
    const std::size_t p = bit_reversed(q, half);
    out[q] = Complex{cpu[p], cpu[half + p]};
  }
}

/// One CPU Fourier buffer as `half` complex values in the CPU's own (bit-reversed) order, the
/// order the fused kernel's FFT produces (fused_pbs.hpp).
inline void to_fused_order(const double* cpu, std::size_t half, Complex* out) {
  for (std::size_t p = 0; p < half; ++p) out[p] = Complex{cpu[p], cpu[half + p]};
}

}  // namespace veil::fhe::cuda
