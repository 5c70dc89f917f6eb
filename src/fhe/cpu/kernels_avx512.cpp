// The kernels for AVX-512 (F, DQ, BW, VL; this file's flags, cmake/VeilLayer.cmake): the
// hand-written ones (avx512_kernels.hpp), the Fourier multiply-accumulate below, and the plain
// decomposition loop.
#include <immintrin.h>

#include <algorithm>

#include "fhe/cpu/avx512_kernels.hpp"
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// Rows per sweep of the Fourier product: each row streams four arrays (a and b, real and
// imaginary), and at N >= 1024 those arrays sit at multiples of 4 KiB, so beyond four rows the
// streams outnumber the ways of an L1 set and evict each other's prefetched lines.
constexpr std::size_t kDotRowsPerSweep = 4;

// rows <= kDotRowsPerSweep of the product, added to out (or written, for the first sweep); the
// accumulator of 8 complex values stays in registers across the rows.
void fourier_dot_sweep(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                       const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t half, bool add) {
  for (std::size_t j = 0; j < half; j += 8) {
    __m512d re = add ? _mm512_loadu_pd(out + j) : _mm512_setzero_pd();
    __m512d im = add ? _mm512_loadu_pd(out + half + j) : _mm512_setzero_pd();
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
}

void fourier_dot_avx512(double* out, const double* a, std::size_t a_stride, const double* b, std::size_t b_stride,
                        std::size_t rows, std::size_t half) {
  for (std::size_t r = 0; r == 0 || r < rows; r += kDotRowsPerSweep) {
    fourier_dot_sweep(out, a + r * a_stride, a_stride, b + r * b_stride, b_stride, std::min(kDotRowsPerSweep, rows - r),
                      half, r > 0);
  }
}

// The plain loops (the decomposition, vectorised to 512 bits here) but for the hand-written kernels.
constexpr CpuKernels avx512_table() {
  CpuKernels table = portable_kernel_table(CpuIsa::avx512);
  table.fft_min_size = 32;  // the AVX-512 FFT's first stage needs at least one vector (N/4 >= 8)
  table.fft_forward = fft_forward_avx512;
  table.fft_forward_digits = fft_forward_digits_avx512;
  table.fft_backward = fft_backward_avx512;
  table.fourier_dot = fourier_dot_avx512;
  table.keyswitch_accumulate = keyswitch_accumulate_avx512;
  table.multi_dot = multi_dot_avx512;
  return table;
}

}  // namespace

const CpuKernels& avx512_kernels() {
  static constexpr CpuKernels table = avx512_table();
  return table;
}

}  // namespace veil::fhe::cpu
