// The kernels for AVX2 + FMA (-mavx2 -mfma, cmake/VeilLayer.cmake): the hand-written FFT
// (fft_avx2.cpp) and key switch (keyswitch_avx2.cpp), the Fourier multiply-accumulate below,
// and the plain loops of portable_kernels.hpp, which GCC vectorises under this file's flags.
// Gains over the scalar table on the ResNet-18 set: docs/benchmarks.md.
#include <immintrin.h>

#include "fhe/cpu/avx2_kernels.hpp"
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// Outputs consecutive outputs, each a vector loaded once for all of them; the accumulators of 4
// complex values per output stay in registers across rows, so out is written once (the plain
// loop reloads and stores out for every row).
template <std::size_t Outputs>
void fourier_dot_outputs(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                         const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t half) {
  const std::size_t n = 2 * half;
  for (std::size_t j = 0; j < half; j += 4) {
    __m256d re[Outputs], im[Outputs];
    for (std::size_t o = 0; o < Outputs; ++o) re[o] = im[o] = _mm256_setzero_pd();
    for (std::size_t r = 0; r < rows; ++r) {
      const double* ar = a + r * a_stride + j;
      const __m256d xr = _mm256_loadu_pd(ar), xi = _mm256_loadu_pd(ar + half);
      for (std::size_t o = 0; o < Outputs; ++o) {
        const double* br = b + r * b_stride + o * n + j;
        const __m256d yr = _mm256_loadu_pd(br), yi = _mm256_loadu_pd(br + half);
        re[o] = _mm256_fnmadd_pd(xi, yi, _mm256_fmadd_pd(xr, yr, re[o]));
        im[o] = _mm256_fmadd_pd(xi, yr, _mm256_fmadd_pd(xr, yi, im[o]));
      }
    }
    for (std::size_t o = 0; o < Outputs; ++o) {
      _mm256_storeu_pd(out + o * n + j, re[o]);
      _mm256_storeu_pd(out + o * n + half + j, im[o]);
    }
  }
}

// Outputs in pairs (and a last single one).
void fourier_dot_avx2(double* out, const double* a, std::size_t a_stride, const double* b, std::size_t b_stride,
                      std::size_t rows, std::size_t outputs, std::size_t half) {
  const std::size_t n = 2 * half;
  for (std::size_t o = 0; o < outputs; o += 2) {
    const auto pass = outputs - o >= 2 ? fourier_dot_outputs<2> : fourier_dot_outputs<1>;
    pass(out + o * n, a, a_stride, b + o * n, b_stride, rows, half);
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
