#pragma once
// Negacyclic polynomial transforms over doubles. A polynomial of Z[X]/(X^N+1) is folded to
// h = N/2 complex values z_j = a_j + i*a_{j+h}, twisted by w^j (w = exp(i*pi/N)) and sent
// through a size-h complex FFT: the result is the polynomial's values at h of the 2N-th roots
// of unity, so pointwise products of two transforms are the transform of the negacyclic product.
//
// The forward FFT is decimation in frequency with the twist fused into its first stage and
// leaves its output in bit-reversed order; the inverse is decimation in time, takes that
// order and fuses the untwist, the 1/h scale and the rounding to the torus into its last stage.
// No permutation pass: pointwise products do not care about the order. Fourier buffers hold
// N doubles: h real parts, then h imaginary parts (bit-reversed order), 64-byte aligned.
//
// Two implementations of the same transform: an AVX-512 kernel (compiled when __AVX512F__
// and __AVX512DQ__ are defined, N >= 32) and a plain scalar one, which is also the reference
// the tests compare the fast path with.
#include <cstdint>

#include "veil/fhe/aligned_vector.hpp"
#include "veil/fhe/decomposition.hpp"
#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// Decompositions up to this many levels have their digits computed inside the AVX-512
/// transform (forward_digits); deeper ones go through decompose_slice.
inline constexpr int kMaxDigitLevels = 8;

class NegacyclicFft {
 public:
  /// The transform for N (a power of two >= 16); tables are made once per N and shared
  /// read-only, so every method is thread-safe. Throws InvalidArgument for other N.
  static const NegacyclicFft& for_size(PolynomialSize N);

  NegacyclicFft(const NegacyclicFft&) = delete;
  NegacyclicFft& operator=(const NegacyclicFft&) = delete;

  PolynomialSize polynomial_size() const { return PolynomialSize(n_); }

  /// in: N signed integers (torus values read as int64); out: the N-double Fourier buffer.
  void forward(const std::int64_t* in, double* out) const;
  void forward(const Torus* in, double* out) const { forward(reinterpret_cast<const std::int64_t*>(in), out); }

  /// The transforms of the decomposer's balanced digit polynomials of in: level j into outs[j],
  /// bit for bit decompose_slice followed by forward, without writing the digits (the AVX-512
  /// kernel computes every level in registers in its first stage). digits: levels * N int64 of
  /// scratch that the other paths decompose into.
  void forward_digits(const Torus* in, const SignedDecomposer& decomposer, std::int64_t* digits,
                      double* const* outs) const;

  /// fourier (destroyed) -> out[j] = round(coefficient j) mod 2^64.
  void backward(double* fourier, Torus* out) const;
  /// fourier (destroyed) -> out[j] += round(coefficient j) mod 2^64.
  void backward_add(double* fourier, Torus* out) const;

  /// The scalar implementation of the same three operations (the reference for tests).
  void forward_scalar(const std::int64_t* in, double* out) const;
  void backward_scalar(double* fourier, Torus* out, bool add) const;

  /// True when forward/backward run the AVX-512 kernel for this N.
  bool uses_simd() const;

  /// Tables, read by the kernels (fft_scalar.cpp, fft_avx512.cpp).
  struct Tables {
    std::size_t half;              // h = N/2
    AlignedVector<double> twist_re, twist_im;      // w^j, j < h
    AlignedVector<double> untwist_re, untwist_im;  // w^j / h, j < h (used conjugated)
    // Stage twiddles exp(-2*pi*i*j/(2m)), j < m, of the stage of half-span m at index m - 1.
    AlignedVector<double> stage_re, stage_im;
    // exp(-2*pi*i*3j/(2m)), j < m/2, at index m - 1 + j: the third twiddle of a radix-4 pass
    // whose larger half-span is m (the other two are stage m at j and stage m/2 at j).
    AlignedVector<double> stage3_re, stage3_im;
    // The last three forward stages (half-spans 4, 2, 1) run inside one 8-lane vector:
    // lane l gets W_s[l % s] when l & s, else 1.
    alignas(64) double lane_re[3][8];
    alignas(64) double lane_im[3][8];
  };
  const Tables& tables() const { return tables_; }

 private:
  explicit NegacyclicFft(std::size_t n);

  std::size_t n_;
  Tables tables_;
};

namespace detail {
void fft_forward_scalar(const NegacyclicFft::Tables& t, const std::int64_t* in, double* out);
void fft_backward_scalar(const NegacyclicFft::Tables& t, double* fourier, Torus* out, bool add);
#if defined(__AVX512F__) && defined(__AVX512DQ__)
void fft_forward_avx512(const NegacyclicFft::Tables& t, const std::int64_t* in, double* out);
void fft_forward_digits_avx512(const NegacyclicFft::Tables& t, const Torus* in, int base_log, int levels,
                               double* const* outs);
void fft_backward_avx512(const NegacyclicFft::Tables& t, double* fourier, Torus* out, bool add);
#endif
}  // namespace detail

/// Exact negacyclic product mod 2^64 of any torus polynomial `a` with a binary polynomial,
/// through the FFT on 16-bit limbs of `a` (each limb product is < 2^53, so rounding is exact).
/// out must not alias a. All sizes N.
void negacyclic_multiply_binary_exact(const Torus* a, const Torus* binary, Torus* out, PolynomialSize N);

}  // namespace veil::fhe
