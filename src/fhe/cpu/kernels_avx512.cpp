// The kernels for AVX-512 (F, DQ, BW, VL; this file's flags, cmake/VeilLayer.cmake): the
// hand-written ones (avx512_kernels.hpp), the Fourier multiply-accumulate below, and the plain
// decomposition loop.
#include <immintrin.h>

#include <algorithm>

#include "fhe/cpu/avx512_kernels.hpp"
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// Rows per sweep of the Fourier product: each row streams a (real and imaginary) and two
// components of b, and at N >= 1024 the b arrays sit at multiples of 4 KiB, so with more rows the
// streams outnumber the ways of an L1 set and evict each other's prefetched lines.
constexpr std::size_t kDotRowsPerSweep = 2;

// rows <= kDotRowsPerSweep of the product for Outputs consecutive outputs, added to out (or
// written, for the first sweep); each a vector is loaded once for all of them, and the
// accumulators of 8 complex values per output stay in registers across the rows.
template <std::size_t Outputs>
void fourier_dot_sweep(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                       const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t half, bool add) {
  const std::size_t n = 2 * half;
  for (std::size_t j = 0; j < half; j += 8) {
    __m512d re[Outputs], im[Outputs];
    for (std::size_t o = 0; o < Outputs; ++o) {
      re[o] = add ? _mm512_loadu_pd(out + o * n + j) : _mm512_setzero_pd();
      im[o] = add ? _mm512_loadu_pd(out + o * n + half + j) : _mm512_setzero_pd();
    }
    for (std::size_t r = 0; r < rows; ++r) {
      const double* ar = a + r * a_stride + j;
      const __m512d xr = _mm512_loadu_pd(ar), xi = _mm512_loadu_pd(ar + half);
      for (std::size_t o = 0; o < Outputs; ++o) {
        const double* br = b + r * b_stride + o * n + j;
        const __m512d yr = _mm512_loadu_pd(br), yi = _mm512_loadu_pd(br + half);
        re[o] = _mm512_fnmadd_pd(xi, yi, _mm512_fmadd_pd(xr, yr, re[o]));
        im[o] = _mm512_fmadd_pd(xi, yr, _mm512_fmadd_pd(xr, yi, im[o]));
      }
    }
    for (std::size_t o = 0; o < Outputs; ++o) {
      _mm512_storeu_pd(out + o * n + j, re[o]);
      _mm512_storeu_pd(out + o * n + half + j, im[o]);
    }
  }
}

// Outputs in pairs (and a last single one), each pair in sweeps of kDotRowsPerSweep rows.
void fourier_dot_avx512(double* out, const double* a, std::size_t a_stride, const double* b, std::size_t b_stride,
                        std::size_t rows, std::size_t outputs, std::size_t half) {
  const std::size_t n = 2 * half;
  for (std::size_t o = 0; o < outputs; o += 2) {
    const auto sweep = outputs - o >= 2 ? fourier_dot_sweep<2> : fourier_dot_sweep<1>;
    for (std::size_t r = 0; r == 0 || r < rows; r += kDotRowsPerSweep) {
      sweep(out + o * n, a + r * a_stride, a_stride, b + r * b_stride + o * n, b_stride,
            std::min(kDotRowsPerSweep, rows - r), half, r > 0);
    }
  }
}

// The plain loops (the decomposition, vectorised to 512 bits here) but for the hand-written kernels.
constexpr CpuKernels avx512_table() {
  CpuKernels table = portable_kernel_table(CpuIsa::avx512);
  table.fft_min_size = 32;  // the AVX-512 FFT's first stage needs at least one vector (N/4 >= 8)
  table.fft_forward = fft_forward_avx512;
  table.fft_forward_digits = fft_forward_digits_avx512;
  table.fft_forward_rotated_digits = fft_forward_rotated_digits_avx512;
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
