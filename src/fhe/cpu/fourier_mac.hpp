#pragma once
// Pointwise multiply-accumulate of Fourier buffers (N/2 real parts, then N/2 imaginary
// parts): acc += a * b as complex numbers. The loop is plain so the compiler vectorises it
// with the widest FMA units -march=native offers.
#include <cstddef>

namespace veil::fhe {

inline void fourier_multiply_add(double* __restrict acc, const double* __restrict a, const double* __restrict b,
                                 std::size_t half) {
  double* __restrict acc_re = acc;
  double* __restrict acc_im = acc + half;
  const double* __restrict a_re = a;
  const double* __restrict a_im = a + half;
  const double* __restrict b_re = b;
  const double* __restrict b_im = b + half;
  for (std::size_t j = 0; j < half; ++j) {
    acc_re[j] += a_re[j] * b_re[j] - a_im[j] * b_im[j];
    acc_im[j] += a_re[j] * b_im[j] + a_im[j] * b_re[j];
  }
}

}  // namespace veil::fhe
