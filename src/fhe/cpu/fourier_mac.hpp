#pragma once
// Fourier-domain dot product of the external product (split layout: N/2 real parts, then N/2
// imaginary parts): out = sum over rows r of a_r * b_r as complex numbers. The accumulator
// stays in registers across rows, so out is written once.
#include <cstddef>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace veil::fhe {

/// a_r = a + r * a_stride, b_r = b + r * b_stride (doubles); half = N/2, a multiple of 8.
inline void fourier_dot(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                        const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t half) {
#if defined(__AVX512F__)
  for (std::size_t j = 0; j < half; j += 8) {
    __m512d re = _mm512_setzero_pd(), im = _mm512_setzero_pd();
    for (std::size_t r = 0; r < rows; ++r) {
      const double* ar = a + r * a_stride + j;
      const double* br = b + r * b_stride + j;
      const __m512d xr = _mm512_loadu_pd(ar), xi = _mm512_loadu_pd(ar + half);
      const __m512d yr = _mm512_loadu_pd(br), yi = _mm512_loadu_pd(br + half);
      re = _mm512_fnmadd_pd(xi, yi, _mm512_fmadd_pd(xr, yr, re));
      im = _mm512_fmadd_pd(xi, yr, _mm512_fmadd_pd(xr, yi, im));
    }
    _mm512_storeu_pd(out + j, re);
    _mm512_storeu_pd(out + half + j, im);
  }
#else
  for (std::size_t j = 0; j < 2 * half; ++j) out[j] = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    const double* ar = a + r * a_stride;
    const double* br = b + r * b_stride;
    for (std::size_t j = 0; j < half; ++j) {
      out[j] += ar[j] * br[j] - ar[j + half] * br[j + half];
      out[j + half] += ar[j] * br[j + half] + ar[j + half] * br[j];
    }
  }
#endif
}

}  // namespace veil::fhe
