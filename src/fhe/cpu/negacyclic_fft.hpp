#pragma once
// Negacyclic polynomial transforms over doubles (FFTW): a polynomial of Z[X]/(X^N+1) is
// folded to N/2 complex values (a_j + i*a_{j+N/2}), twisted by exp(i*pi*j/N) and sent
// through a size-N/2 complex FFT; pointwise products of two transforms are the transform of
// the negacyclic product. Fourier buffers hold N doubles: N/2 real parts, then N/2
// imaginary parts. Buffers must be 64-byte aligned (the plans assume SIMD alignment).
#include <cstdint>

#include "veil/fhe/aligned_vector.hpp"
#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

class NegacyclicFft {
 public:
  /// The transform for N (a power of two >= 16), planned once per N and shared; thread-safe.
  /// Throws InvalidArgument for other N.
  static const NegacyclicFft& for_size(PolynomialSize N);

  ~NegacyclicFft();
  NegacyclicFft(const NegacyclicFft&) = delete;
  NegacyclicFft& operator=(const NegacyclicFft&) = delete;

  PolynomialSize polynomial_size() const { return PolynomialSize(n_); }

  /// in: N signed integers (torus values read as int64); out: the N-double Fourier buffer.
  void forward(const std::int64_t* in, double* out) const;
  void forward(const Torus* in, double* out) const { forward(reinterpret_cast<const std::int64_t*>(in), out); }

  /// fourier (destroyed) -> out[j] = round(coefficient j) mod 2^64.
  void backward(double* fourier, Torus* out) const;
  /// fourier (destroyed) -> out[j] += round(coefficient j) mod 2^64.
  void backward_add(double* fourier, Torus* out) const;

 private:
  explicit NegacyclicFft(std::size_t n);
  void inverse_untwisted(double* fourier) const;

  std::size_t n_;
  // fftw_plan values, kept opaque so that FFTW stays out of the headers.
  void* forward_plan_ = nullptr;
  void* backward_plan_ = nullptr;
  AlignedVector<double> twist_re_, twist_im_;
};

/// Exact negacyclic product mod 2^64 of any torus polynomial `a` with a binary polynomial,
/// through the FFT on 16-bit limbs of `a` (each limb product is < 2^53, so rounding is exact).
/// out must not alias a. All sizes N.
void negacyclic_multiply_binary_exact(const Torus* a, const Torus* binary, Torus* out, PolynomialSize N);

}  // namespace veil::fhe
