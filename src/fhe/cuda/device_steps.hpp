#pragma once
// The CUDA pipeline's per-thread steps, written once for two callers: the kernels (kernels.cu,
// each thread runs one step with its own index) and the host model that the tests run against
// the CPU backend on machines without a GPU (tests/fhe/cuda_backend_test.cpp). C++17 and no veil
// headers, so that nvcc compiles it as is. docs/cuda_backend.md describes the pipeline.
//
// Batched buffers are ciphertext-major. For a chunk of B ciphertexts:
//   switched  B x (n+1) uint32          key-switched, modulus-switched inputs (mask, body)
//   accs      B x (k+1) x N Torus       GLWE accumulators
//   fft       B x (k+1)*l x N/2 Complex digit polynomials, row i*l + j (component i, level j)
//   prod      B x (k+1) x N/2 Complex   one external product's output components
// Fourier points are in natural order (cuFFT's), unlike the CPU transform's bit-reversed order.
#include <math.h>  // ::nearbyint, on the host and (through nvcc) on the device

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define VEIL_HD __host__ __device__ __forceinline__
#else
#define VEIL_HD inline
#endif
#if defined(__CUDA_ARCH__)  // nvcc's device pass; its host pass and g++ would warn
#define VEIL_UNROLL _Pragma("unroll")
#else
#define VEIL_UNROLL
#endif

namespace veil::fhe::cuda {

using Torus = std::uint64_t;

/// One complex value, laid out as cufftDoubleComplex (double2).
struct alignas(16) Complex {
  double re;
  double im;
};

/// Key switching from dimension n_in to n_out with a (base_log, levels) decomposition.
struct KeyswitchShape {
  std::uint32_t n_in;
  std::uint32_t n_out;
  std::uint32_t base_log;
  std::uint32_t levels;
};

/// One PBS: small LWE dimension n, GLWE dimension k, polynomial size N, and the bootstrapping
/// key's decomposition (base_log, levels).
struct PbsShape {
  std::uint32_t n;
  std::uint32_t k;
  std::uint32_t N;
  std::uint32_t base_log;
  std::uint32_t levels;

  VEIL_HD std::uint32_t half() const { return N / 2; }
  /// GGSW rows, and digit polynomials per ciphertext: (k+1)*levels.
  VEIL_HD std::uint32_t rows() const { return (k + 1) * levels; }
  VEIL_HD std::size_t glwe_size() const { return std::size_t{k + 1} * N; }
  VEIL_HD std::size_t big_lwe_size() const { return std::size_t{k} * N + 1; }
  /// Complex values of one GGSW on the device: row r -> output component c -> N/2 points.
  VEIL_HD std::size_t ggsw_complex() const { return std::size_t{rows()} * (k + 1) * half(); }
  /// Threads of the polynomial steps (rotate_decompose, fourier_mac, untwist_add): one per
  /// (ciphertext, GLWE component, point).
  VEIL_HD std::size_t polynomial_threads(std::size_t count) const { return count * (k + 1) * half(); }
};

/// x rounded to its top base_log*levels bits, as in SignedDecomposer (decomposition.hpp).
VEIL_HD Torus decomposition_state(Torus x, std::uint32_t base_log, std::uint32_t levels) {
  const std::uint32_t shift = 64 - base_log * levels;
  return ((x >> (shift - 1)) + 1) >> 1;
}

/// The balanced digit of the least significant level left in `state`, in [-B/2, B/2); leaves
/// the higher levels, plus the carry, in `state`. Called `levels` times it yields the digits of
/// SignedDecomposer::decompose from level levels-1 down to level 0.
VEIL_HD std::int64_t next_digit(Torus& state, std::uint32_t base_log) {
  const Torus digit = state & ((Torus{1} << base_log) - 1);
  const Torus carry = digit >> (base_log - 1);  // digit >= B/2
  state = (state >> base_log) + carry;
  return static_cast<std::int64_t>(digit) - static_cast<std::int64_t>(carry << base_log);
}

/// B/2 * (1 + B + ... + B^(levels-1)), B = 2^base_log: digit_at_level's offset, the same for
/// every value of one decomposition.
VEIL_HD Torus balanced_digit_offset(std::uint32_t base_log, std::uint32_t levels) {
  Torus offset = 0;
  for (std::uint32_t j = 0; j < levels; ++j) offset = (offset << base_log) | (Torus{1} << (base_log - 1));
  return offset;
}

/// The digit of level `level` (0: most significant, SignedDecomposer's order) of x, without the
/// carry chain of next_digit: digits in [-B/2, B/2) are unique mod B^levels, so they are the plain
/// base-B digits of state + offset (balanced_digit_offset), each less B/2. A few integer
/// operations per digit, for a caller that needs one level of a value (the fused kernel).
VEIL_HD std::int64_t digit_at_level(Torus x, std::uint32_t base_log, std::uint32_t levels, std::uint32_t level,
                                    Torus offset) {
  const Torus shifted = (decomposition_state(x, base_log, levels) + offset) >> ((levels - 1 - level) * base_log);
  return static_cast<std::int64_t>(shifted & ((Torus{1} << base_log) - 1)) -
         static_cast<std::int64_t>(Torus{1} << (base_log - 1));
}

/// Read-only global data (keys, inputs) through the read-only cache.
VEIL_HD Torus load_readonly(const Torus* p) {
#if defined(__CUDA_ARCH__)
  return __ldg(reinterpret_cast<const unsigned long long*>(p));
#else
  return *p;
#endif
}

/// round(x * 2N / 2^64) mod 2N, as modulus_switch_value (modulus_switch.hpp); N a power of two.
VEIL_HD std::uint32_t modulus_switch(Torus x, std::uint32_t N) {
  std::uint32_t log2_2n = 1;
  while ((std::uint32_t{1} << log2_2n) < 2 * N) ++log2_2n;
  const std::uint32_t shift = 64 - log2_2n;
  return static_cast<std::uint32_t>((((x >> (shift - 1)) + 1) >> 1) & (2 * N - 1));
}

/// Ciphertext c of `count`: switched[c] = the centred modulus switch of small[c] (n mask values
/// and the body), as centered_modulus_switch (modulus_switch.hpp): the body takes
/// floor(Σ r_i / 2) with r_i = switched mask value · 2^64/2N − a_i, summed modulo 2^64.
VEIL_HD void centered_modulus_switch_thread(std::uint32_t n, std::uint32_t N, const Torus* small, std::size_t c,
                                            std::uint32_t* switched) {
  std::uint32_t log2_2n = 1;
  while ((std::uint32_t{1} << log2_2n) < 2 * N) ++log2_2n;
  const std::uint32_t shift = 64 - log2_2n;
  const Torus* in = small + c * (std::size_t{n} + 1);
  std::uint32_t* out = switched + c * (std::size_t{n} + 1);
  Torus halves = 0;
  Torus odd = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t value = modulus_switch(in[i], N);
    out[i] = value;
    const auto r = static_cast<std::int64_t>((Torus{value} << shift) - in[i]);
    halves += static_cast<Torus>(r >> 1);
    odd += static_cast<Torus>(r & 1);
  }
  out[n] = modulus_switch(in[n] + halves + (odd >> 1), N);
}

/// round(x) mod 2^64 for any finite x, as the CPU FFT's rounding (cpu/fft_scalar.cpp).
VEIL_HD Torus to_torus(double x) {
  const double r = ::nearbyint(x);
  const double wrapped = r - ::nearbyint(r * 0x1p-64) * 0x1p64;  // exact, in [-2^63, 2^63]
  if (wrapped >= 0x1p63) return static_cast<Torus>(static_cast<std::int64_t>(wrapped - 0x1p64));
  return static_cast<Torus>(static_cast<std::int64_t>(wrapped));
}

/// Coefficient q of X^rotation * poly - poly in Z[X]/(X^N + 1), rotation in [0, 2N).
VEIL_HD Torus rotated_difference(const Torus* poly, std::uint32_t N, std::uint32_t rotation, std::uint32_t q) {
  const std::uint32_t source = (q - rotation) & (2 * N - 1);  // X^rotation moves `source` to q
  const Torus moved = source < N ? poly[source] : Torus{0} - poly[source - N];
  return moved - poly[q];
}

/// Thread of count*N (ciphertext b, coefficient j): accumulator b = (0, ..., 0, X^(-body) * table),
/// body = switched[b][n], table = tables[table_index[b]] (as blind_rotation.cpp).
VEIL_HD void load_table_thread(const PbsShape& s, const Torus* tables, const std::uint32_t* table_index,
                               const std::uint32_t* switched, std::size_t thread, Torus* accs) {
  const std::size_t b = thread / s.N;
  const std::uint32_t j = static_cast<std::uint32_t>(thread % s.N);
  const std::uint32_t body = switched[b * (s.n + 1) + s.n];  // < 2N
  const Torus* table = tables + std::size_t{table_index[b]} * s.N;
  Torus* acc = accs + b * s.glwe_size();
  for (std::uint32_t i = 0; i < s.k; ++i) acc[std::size_t{i} * s.N + j] = 0;
  std::uint32_t source = j + body;  // X^(-body): coefficient j reads table[j + body], negated per wrap
  bool negate = false;
  if (source >= s.N) {
    source -= s.N;
    negate = !negate;
  }
  if (source >= s.N) {
    source -= s.N;
    negate = !negate;
  }
  acc[std::size_t{s.k} * s.N + j] = negate ? Torus{0} - table[source] : table[source];
}

/// Polynomial-step thread (ciphertext b, GLWE component i, point q) of CMUX t: coefficients q and
/// q + N/2 of X^a * acc_i - acc_i (a = switched[b][t]) are decomposed, and for every level j the
/// folded, twisted pair (d_j(lo) + i*d_j(hi)) * w^q goes to fft[b][i*l + j][q], ready for the
/// forward FFT (as external_product.cpp with cpu/fft_scalar.cpp's first stage). Ciphertexts with
/// a = 0 are skipped here and in the two later steps: their CMUX leaves the accumulator as is.
VEIL_HD void rotate_decompose_thread(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched,
                                     const Torus* accs, const Complex* twist, std::size_t thread, Complex* fft) {
  const std::uint32_t h = s.half();
  const std::uint32_t q = static_cast<std::uint32_t>(thread % h);
  const std::size_t rest = thread / h;
  const std::uint32_t i = static_cast<std::uint32_t>(rest % (s.k + 1));
  const std::size_t b = rest / (s.k + 1);
  const std::uint32_t rotation = switched[b * (s.n + 1) + t];
  if (rotation == 0) return;
  const Torus* poly = accs + b * s.glwe_size() + std::size_t{i} * s.N;
  Torus lo = decomposition_state(rotated_difference(poly, s.N, rotation, q), s.base_log, s.levels);
  Torus hi = decomposition_state(rotated_difference(poly, s.N, rotation, q + h), s.base_log, s.levels);
  const Complex w = twist[q];
  Complex* out = fft + (b * s.rows() + std::size_t{i} * s.levels) * h + q;
  for (std::uint32_t j = s.levels; j-- > 0;) {
    const double a = static_cast<double>(next_digit(lo, s.base_log));
    const double c = static_cast<double>(next_digit(hi, s.base_log));
    out[std::size_t{j} * h] = Complex{a * w.re - c * w.im, a * w.im + c * w.re};
  }
}

/// Polynomial-step thread (ciphertext b, output component c, point q) of CMUX t, after the forward
/// FFT: prod[b][c][q] = sum over rows r of fft[b][r][q] * ggsw[r][c][q] (ggsw: GGSW t).
VEIL_HD void fourier_mac_thread(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* fft,
                                const Complex* ggsw, std::size_t thread, Complex* prod) {
  const std::uint32_t h = s.half();
  const std::uint32_t q = static_cast<std::uint32_t>(thread % h);
  const std::size_t rest = thread / h;
  const std::uint32_t c = static_cast<std::uint32_t>(rest % (s.k + 1));
  const std::size_t b = rest / (s.k + 1);
  if (switched[b * (s.n + 1) + t] == 0) return;
  const Complex* x = fft + b * s.rows() * h + q;
  const Complex* y = ggsw + std::size_t{c} * h + q;
  const std::size_t y_stride = std::size_t{s.k + 1} * h;
  double re = 0, im = 0;
  for (std::uint32_t r = 0; r < s.rows(); ++r) {
    const Complex a = x[std::size_t{r} * h];
    const Complex g = y[r * y_stride];
    re += a.re * g.re - a.im * g.im;
    im += a.re * g.im + a.im * g.re;
  }
  prod[thread] = Complex{re, im};  // thread == (b*(k+1) + c)*h + q
}

/// Polynomial-step thread (ciphertext b, component c, point q) of CMUX t, after the inverse FFT:
/// untwist by conj(w^q)/h (untwist[q] = w^q/h), round to the torus, and add into coefficients q
/// and q + N/2 of accumulator component c (as cpu/fft_scalar.cpp's backward_add).
VEIL_HD void untwist_add_thread(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* prod,
                                const Complex* untwist, std::size_t thread, Torus* accs) {
  const std::uint32_t h = s.half();
  const std::uint32_t q = static_cast<std::uint32_t>(thread % h);
  const std::size_t rest = thread / h;
  const std::uint32_t c = static_cast<std::uint32_t>(rest % (s.k + 1));
  const std::size_t b = rest / (s.k + 1);
  if (switched[b * (s.n + 1) + t] == 0) return;
  const Complex z = prod[thread];
  const Complex u = untwist[q];
  Torus* acc = accs + b * s.glwe_size() + std::size_t{c} * s.N;
  acc[q] += to_torus(z.re * u.re + z.im * u.im);
  acc[q + h] += to_torus(z.im * u.re - z.re * u.im);
}

/// Thread of count*(k*N+1) (ciphertext b, value m): the output LWE is sample 0 of accumulator b
/// (sample_extraction.cpp): mask value i*N + j is A_i[0] for j = 0, else -A_i[N-j]; the body
/// (m = k*N, i.e. i = k, j = 0) is B[0].
VEIL_HD void sample_extract_thread(const PbsShape& s, const Torus* accs, std::size_t thread, Torus* out) {
  const std::size_t b = thread / s.big_lwe_size();
  const std::size_t m = thread % s.big_lwe_size();
  const std::size_t i = m / s.N;
  const std::size_t j = m % s.N;
  const Torus* poly = accs + b * s.glwe_size() + i * s.N;
  out[thread] = j == 0 ? poly[0] : Torus{0} - poly[s.N - j];
}

}  // namespace veil::fhe::cuda
