// The kernels for AVX2 + FMA (-mavx2 -mfma, cmake/VeilLayer.cmake): the hand-written FFT
// (fft_avx2.cpp) and key switch (keyswitch_avx2.cpp), the Fourier multiply-accumulate below,
// and the plain loops of portable_kernels.hpp, which GCC vectorises under this file's flags.
// Gains over the scalar table on the ResNet-18 set: docs/benchmarks.md.
#include <immintrin.h>

#include "fhe/cpu/avx2_kernels.hpp"
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// Two vectors of 4 complex values per step keep their accumulators in registers across rows, so
// out is written once (the plain loop reloads and stores out for every row).
void fourier_dot_avx2(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                      const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t half) {
  for (std::size_t j = 0; j < half; j += 8) {
    __m256d re0 = _mm256_setzero_pd(), im0 = _mm256_setzero_pd();
    __m256d re1 = _mm256_setzero_pd(), im1 = _mm256_setzero_pd();
    for (std::size_t r = 0; r < rows; ++r) {
      const double* ar = a + r * a_stride + j;
      const double* br = b + r * b_stride + j;
      const __m256d xr0 = _mm256_loadu_pd(ar), xi0 = _mm256_loadu_pd(ar + half);
      const __m256d yr0 = _mm256_loadu_pd(br), yi0 = _mm256_loadu_pd(br + half);
      const __m256d xr1 = _mm256_loadu_pd(ar + 4), xi1 = _mm256_loadu_pd(ar + half + 4);
      const __m256d yr1 = _mm256_loadu_pd(br + 4), yi1 = _mm256_loadu_pd(br + half + 4);
      re0 = _mm256_fnmadd_pd(xi0, yi0, _mm256_fmadd_pd(xr0, yr0, re0));
      im0 = _mm256_fmadd_pd(xi0, yr0, _mm256_fmadd_pd(xr0, yi0, im0));
      re1 = _mm256_fnmadd_pd(xi1, yi1, _mm256_fmadd_pd(xr1, yr1, re1));
      im1 = _mm256_fmadd_pd(xi1, yr1, _mm256_fmadd_pd(xr1, yi1, im1));
    }
    _mm256_storeu_pd(out + j, re0);
    _mm256_storeu_pd(out + j + 4, re1);
    _mm256_storeu_pd(out + half + j, im0);
    _mm256_storeu_pd(out + half + j + 4, im1);
  }
}

// The plain loops but for the hand-written kernels.
constexpr CpuKernels avx2_table() {
  CpuKernels table = portable_kernel_table(CpuIsa::avx2);
  table.fft_min_size = 16;  // the first stage needs one vector (N/4 >= 4)
  table.fft_forward = fft_forward_avx2;
  table.fft_forward_digits = fft_forward_digits_avx2;
  table.fft_backward = fft_backward_avx2;
  table.fourier_dot = fourier_dot_avx2;
  table.keyswitch_accumulate = keyswitch_accumulate_avx2;
  return table;
}

}  // namespace

const CpuKernels& avx2_kernels() {
  static constexpr CpuKernels table = avx2_table();
  return table;
}

}  // namespace veil::fhe::cpu
