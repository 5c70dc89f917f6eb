#pragma once
// The kernels as plain loops, for every table: kernels_scalar.cpp compiles them for baseline
// x86-64 (the reference the tests compare the others with), kernels_avx2.cpp with AVX2 + FMA,
// where GCC vectorises them, and the AVX-512 table takes those it has no hand-written kernel
// for. Internal linkage: each including translation unit gets its own copy, built with its
// own flags, so no ISA's code can stand in for another's at link time. Plain C++ only here (no
// standard-library templates, whose out-of-line copies would be shared).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fhe/cpu/cpu_kernels.hpp"

namespace veil::fhe::cpu {
namespace {  // NOLINT(google-build-namespaces): one copy per ISA on purpose (above)
// NOLINTBEGIN(misc-definitions-in-headers): the same reason

// round(x) mod 2^64 for |x| far beyond 2^64: subtracting the nearest multiple of 2^64 is
// exact in double arithmetic, leaving a value in [-2^63, 2^63].
inline std::uint64_t portable_to_torus(double x) {
  const double r = std::nearbyint(x);
  const double wrapped = r - std::nearbyint(r * 0x1p-64) * 0x1p64;
  if (wrapped >= 0x1p63) return static_cast<std::uint64_t>(static_cast<std::int64_t>(wrapped - 0x1p64));
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(wrapped));
}

// One stage's butterflies over a span: u = (ur, ui) and v = (vr, vi) are disjoint runs of m
// values. The restrict-qualified parameters are what lets GCC vectorise these loops (written
// inline in the stage loop, it could not prove the runs apart and left the FFT scalar).
inline void portable_dif_span(double* __restrict ur, double* __restrict ui, double* __restrict vr,
                              double* __restrict vi, const double* __restrict wr, const double* __restrict wi,
                              std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    const double dr = ur[j] - vr[j], di = ui[j] - vi[j];
    ur[j] += vr[j];
    ui[j] += vi[j];
    vr[j] = dr * wr[j] - di * wi[j];
    vi[j] = dr * wi[j] + di * wr[j];
  }
}
inline void portable_dit_span(double* __restrict ur, double* __restrict ui, double* __restrict qr,
                              double* __restrict qi, const double* __restrict wr, const double* __restrict wi,
                              std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    const double vr = qr[j] * wr[j] + qi[j] * wi[j];
    const double vi = qi[j] * wr[j] - qr[j] * wi[j];
    qr[j] = ur[j] - vr;
    qi[j] = ui[j] - vi;
    ur[j] += vr;
    ui[j] += vi;
  }
}

// Negacyclic FFT (negacyclic_fft.hpp): the twist, then decimation in frequency,
// (u, v) -> (u + v, (u - v) * W_m[j]); output in bit-reversed order.
void portable_fft_forward(const FftTables& t, const std::int64_t* in, double* out) {
  const std::size_t h = t.half;
  double* re = out;
  double* im = out + h;
  for (std::size_t j = 0; j < h; ++j) {
    const double a = static_cast<double>(in[j]);
    const double b = static_cast<double>(in[j + h]);
    re[j] = a * t.twist_re[j] - b * t.twist_im[j];
    im[j] = a * t.twist_im[j] + b * t.twist_re[j];
  }
  for (std::size_t m = h / 2; m >= 1; m /= 2) {
    const double* wr = t.stage_re + m - 1;
    const double* wi = t.stage_im + m - 1;
    for (std::size_t b = 0; b < h; b += 2 * m) portable_dif_span(re + b, im + b, re + b + m, im + b + m, wr, wi, m);
  }
}

// Decimation in time with conjugate twiddles: (u, v) -> (u + v*conj(W), u - v*conj(W)), the
// forward stages undone in reverse order (up to a factor 2 each), then the untwist and 1/h.
void portable_fft_backward(const FftTables& t, double* fourier, std::uint64_t* out, bool add) {
  const std::size_t h = t.half;
  double* re = fourier;
  double* im = fourier + h;
  for (std::size_t m = 1; m < h; m *= 2) {
    const double* wr = t.stage_re + m - 1;
    const double* wi = t.stage_im + m - 1;
    for (std::size_t b = 0; b < h; b += 2 * m) portable_dit_span(re + b, im + b, re + b + m, im + b + m, wr, wi, m);
  }
  for (std::size_t j = 0; j < h; ++j) {
    const double x = re[j] * t.untwist_re[j] + im[j] * t.untwist_im[j];  // times conj(w^j) / h
    const double y = im[j] * t.untwist_re[j] - re[j] * t.untwist_im[j];
    const std::uint64_t a = portable_to_torus(x), b = portable_to_torus(y);
    out[j] = add ? out[j] + a : a;
    out[j + h] = add ? out[j + h] + b : b;
  }
}

void portable_fourier_dot(double* __restrict out, const double* __restrict a, std::size_t a_stride,
                          const double* __restrict b, std::size_t b_stride, std::size_t rows, std::size_t outputs,
                          std::size_t half) {
  const std::size_t n = 2 * half;
  for (std::size_t o = 0; o < outputs; ++o) {
    double* out_o = out + o * n;
    for (std::size_t j = 0; j < n; ++j) out_o[j] = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
      const double* ar = a + r * a_stride;
      const double* br = b + r * b_stride + o * n;
      for (std::size_t j = 0; j < half; ++j) {
        out_o[j] += ar[j] * br[j] - ar[j + half] * br[j + half];
        out_o[j + half] += ar[j] * br[j + half] + ar[j + half] * br[j];
      }
    }
  }
}

// One pass over the values with every level computed in registers. Inlined where `levels` is a
// constant, the level loop unrolls and the value loop vectorises (instead of one pass over
// memory per level).
[[gnu::always_inline]] inline void decompose_levels(const std::uint64_t* __restrict in, std::size_t n,
                                                    std::int64_t* __restrict digits, int b, int levels) {
  const int shift = 64 - b * levels;
  const std::uint64_t mask = (std::uint64_t{1} << b) - 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::uint64_t state = ((in[c] >> (shift - 1)) + 1) >> 1;  // the kept b*levels bits, rounded
    for (int j = levels - 1; j >= 1; --j) {
      const std::uint64_t digit = state & mask;
      const std::uint64_t carry = digit >> (b - 1);  // digit >= B/2
      state = (state >> b) + carry;
      digits[static_cast<std::size_t>(j) * n + c] = static_cast<std::int64_t>(digit - (carry << b));
    }
    const std::uint64_t digit = state & mask;
    digits[c] = static_cast<std::int64_t>(digit - ((digit >> (b - 1)) << b));
  }
}

void portable_decompose(const std::uint64_t* in, std::size_t n, std::int64_t* digits, int b, int levels) {
  switch (levels) {  // the vetted sets' level counts, each with its own unrolled loop
    case 1: return decompose_levels(in, n, digits, b, 1);
    case 2: return decompose_levels(in, n, digits, b, 2);
    case 3: return decompose_levels(in, n, digits, b, 3);
    case 4: return decompose_levels(in, n, digits, b, 4);
    case 5: return decompose_levels(in, n, digits, b, 5);
    case 6: return decompose_levels(in, n, digits, b, 6);
    case 7: return decompose_levels(in, n, digits, b, 7);
    case 8: return decompose_levels(in, n, digits, b, 8);
    default: return decompose_levels(in, n, digits, b, levels);
  }
}

// Output values per column block: a block of every accumulator of a 16-ciphertext group
// (16 x 2 KiB) stays in L1 while the key rows stream past.
constexpr std::size_t kKeyswitchColumnBlock = 256;

void portable_keyswitch_accumulate(const KeyswitchTerms& s) {
  for (std::size_t begin = 0; begin < s.width; begin += kKeyswitchColumnBlock) {
    const std::size_t width = s.width - begin < kKeyswitchColumnBlock ? s.width - begin : kKeyswitchColumnBlock;
    for (std::size_t r = 0; r < s.rows; ++r) {
      const std::uint64_t* __restrict row = s.key + r * s.width + begin;
      const std::int8_t* d = s.digits + r * s.count;
      for (std::size_t g = 0; g < s.count; ++g) {
        if (d[g] == 0) continue;
        const auto digit = static_cast<std::uint64_t>(static_cast<std::int64_t>(d[g]));
        std::uint64_t* __restrict acc = s.acc[g] + begin;
        for (std::size_t c = 0; c < width; ++c) acc[c] -= digit * row[c];
      }
    }
  }
}

void portable_multi_dot(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights,
                        std::uint64_t* const* out, std::size_t outputs, std::size_t size) {
  for (std::size_t o = 0; o < outputs; ++o) {
    std::uint64_t* __restrict y = out[o];
    if (terms == 0) {
      for (std::size_t d = 0; d < size; ++d) y[d] = 0;
      continue;
    }
    // The first term writes y (one pass fewer than zeroing first: a copy or a lift is one pass).
    const auto w0 = static_cast<std::uint64_t>(weights[o * terms]);
    const std::uint64_t* __restrict x0 = inputs[0];
    for (std::size_t d = 0; d < size; ++d) y[d] = x0[d] * w0;
    for (std::size_t t = 1; t < terms; ++t) {
      const auto w = static_cast<std::uint64_t>(weights[o * terms + t]);
      const std::uint64_t* __restrict x = inputs[t];
      for (std::size_t d = 0; d < size; ++d) y[d] += x[d] * w;
    }
  }
}

constexpr CpuKernels portable_kernel_table(CpuIsa isa) {
  return CpuKernels{isa,
                    16,
                    portable_fft_forward,
                    nullptr,
                    nullptr,
                    portable_fft_backward,
                    portable_fourier_dot,
                    portable_decompose,
                    portable_keyswitch_accumulate,
                    portable_multi_dot};
}

// NOLINTEND(misc-definitions-in-headers)
}  // namespace
}  // namespace veil::fhe::cpu
