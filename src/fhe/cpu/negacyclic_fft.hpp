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
// The kernels come from cpu_kernels() (chosen once per process, cpu_features.hpp): the
// hand-written AVX-512 (N >= 32) or AVX2 + FMA (N >= 16) transforms, or the plain loops compiled
// for baseline x86-64; the latter, the scalar table, is also the reference the tests compare the
// others with.
#include <cstdint>

#include "fhe/cpu/cpu_kernels.hpp"
#include "veil/fhe/aligned_vector.hpp"
#include "veil/fhe/decomposition.hpp"
#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

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
  /// and AVX2 kernels compute every level in registers in their first stage). digits: levels * N int64 of
  /// scratch that the other paths decompose into.
  void forward_digits(const Torus* in, const SignedDecomposer& decomposer, std::int64_t* digits,
                      double* const* outs) const;

  /// forward_digits of the CMUX's difference X^rotation * acc - acc (rotation < 2N, X^N = -1), bit
  /// for bit. The AVX-512 kernels read it from acc's N values as they go; the other paths write it
  /// to diff (N values of scratch) first.
  void forward_rotated_difference_digits(const Torus* acc, std::size_t rotation, const SignedDecomposer& decomposer,
                                         std::int64_t* digits, Torus* diff, double* const* outs) const;

  /// fourier (destroyed) -> out[j] = round(coefficient j) mod 2^64.
  void backward(double* fourier, Torus* out) const;
  /// fourier (destroyed) -> out[j] += round(coefficient j) mod 2^64.
  void backward_add(double* fourier, Torus* out) const;

  /// The scalar table's implementation of the same operations (the reference for tests).
  void forward_scalar(const std::int64_t* in, double* out) const;
  void backward_scalar(double* fourier, Torus* out, bool add) const;

  /// The instruction set forward/backward run on for this N.
  cpu::CpuIsa isa() const { return kernels_->isa; }

  /// Tables, read by the kernels (cpu_kernels.hpp) and the CUDA backend.
  using Tables = cpu::FftTables;
  const Tables& tables() const { return tables_; }

 private:
  explicit NegacyclicFft(std::size_t n);

  std::size_t n_;
  AlignedVector<double> storage_;  // the arrays tables_ points into
  Tables tables_;
  const cpu::CpuKernels* kernels_;
};

/// Exact negacyclic product mod 2^64 of any torus polynomial `a` with a binary polynomial,
/// through the FFT on 16-bit limbs of `a` (each limb product is < 2^53, so rounding is exact).
/// out must not alias a. All sizes N.
void negacyclic_multiply_binary_exact(const Torus* a, const Torus* binary, Torus* out, PolynomialSize N);

}  // namespace veil::fhe
