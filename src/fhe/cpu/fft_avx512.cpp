// AVX-512 negacyclic FFT: split real/imaginary vectors of 8 doubles, radix-4 passes (two
// stages per load/store), the twist and int64->double conversion fused into the first forward
// stage, the untwist, scale and exact rounding to the torus fused into the last inverse stage.
// Stages and output order are those of portable_kernels.hpp. Compiled with AVX-512 flags
// (cmake/VeilLayer.cmake) and run only where cpu_features.hpp found AVX-512.
#include "fhe/cpu/avx512_kernels.hpp"

// GCC 12 flags the _mm512_undefined_* placeholders inside its own intrinsics headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace veil::fhe::cpu {

namespace {

struct Cplx {
  __m512d re, im;
};

inline Cplx load(const double* re, const double* im, std::size_t i) {
  return {_mm512_loadu_pd(re + i), _mm512_loadu_pd(im + i)};
}
inline void store(double* re, double* im, std::size_t i, Cplx c) {
  _mm512_storeu_pd(re + i, c.re);
  _mm512_storeu_pd(im + i, c.im);
}
inline Cplx add(Cplx a, Cplx b) { return {_mm512_add_pd(a.re, b.re), _mm512_add_pd(a.im, b.im)}; }
inline Cplx sub(Cplx a, Cplx b) { return {_mm512_sub_pd(a.re, b.re), _mm512_sub_pd(a.im, b.im)}; }
inline Cplx mul(Cplx a, __m512d wr, __m512d wi) {
  return {_mm512_fmsub_pd(a.re, wr, _mm512_mul_pd(a.im, wi)), _mm512_fmadd_pd(a.re, wi, _mm512_mul_pd(a.im, wr))};
}
inline Cplx mul_conj(Cplx a, __m512d wr, __m512d wi) {
  return {_mm512_fmadd_pd(a.re, wr, _mm512_mul_pd(a.im, wi)), _mm512_fmsub_pd(a.im, wr, _mm512_mul_pd(a.re, wi))};
}

// a - i*b and a + i*b: the W^(m/2) = -i twiddle of a radix-4 pass costs additions only.
inline Cplx minus_i(Cplx a, Cplx b) { return {_mm512_add_pd(a.re, b.im), _mm512_sub_pd(a.im, b.re)}; }
inline Cplx plus_i(Cplx a, Cplx b) { return {_mm512_sub_pd(a.re, b.im), _mm512_add_pd(a.im, b.re)}; }

// Decimation-in-frequency butterfly and its inverse (decimation in time, conjugate twiddle).
inline void dif(Cplx& u, Cplx& v, const double* wr, const double* wi) {
  const Cplx d = sub(u, v);
  u = add(u, v);
  v = mul(d, _mm512_loadu_pd(wr), _mm512_loadu_pd(wi));
}
inline void dit(Cplx& u, Cplx& v, const double* wr, const double* wi) {
  const Cplx x = mul_conj(v, _mm512_loadu_pd(wr), _mm512_loadu_pd(wi));
  v = sub(u, x);
  u = add(u, x);
}

// Twiddles of radix-4 pass (half-spans m, m/2) at offset j: W^j, W^2j, W^3j with W = W_2m.
struct Radix4Twiddles {
  const double *sr, *si, *s3r, *s3i;
};

// Two decimation-in-frequency stages on (x0, x1, x2, x3) = offsets (j, j+m/2, j+m, j+3m/2).
inline void radix4_dif(Cplx& x0, Cplx& x1, Cplx& x2, Cplx& x3, const Radix4Twiddles& w, std::size_t m, std::size_t j) {
  const std::size_t q = m / 2;
  const Cplx s02 = add(x0, x2), d02 = sub(x0, x2), s13 = add(x1, x3), d13 = sub(x1, x3);
  x0 = add(s02, s13);
  x1 = mul(sub(s02, s13), _mm512_loadu_pd(w.sr + q - 1 + j), _mm512_loadu_pd(w.si + q - 1 + j));
  x2 = mul(minus_i(d02, d13), _mm512_loadu_pd(w.sr + m - 1 + j), _mm512_loadu_pd(w.si + m - 1 + j));
  x3 = mul(plus_i(d02, d13), _mm512_loadu_pd(w.s3r + m - 1 + j), _mm512_loadu_pd(w.s3i + m - 1 + j));
}

// Its inverse (decimation in time, conjugate twiddles).
inline void radix4_dit(Cplx& x0, Cplx& x1, Cplx& x2, Cplx& x3, const Radix4Twiddles& w, std::size_t m, std::size_t j) {
  const std::size_t q = m / 2;
  const Cplx c1 = mul_conj(x1, _mm512_loadu_pd(w.sr + q - 1 + j), _mm512_loadu_pd(w.si + q - 1 + j));
  const Cplx c2 = mul_conj(x2, _mm512_loadu_pd(w.sr + m - 1 + j), _mm512_loadu_pd(w.si + m - 1 + j));
  const Cplx c3 = mul_conj(x3, _mm512_loadu_pd(w.s3r + m - 1 + j), _mm512_loadu_pd(w.s3i + m - 1 + j));
  const Cplx s01 = add(x0, c1), d01 = sub(x0, c1), s23 = add(c2, c3), d23 = sub(c2, c3);
  x0 = add(s01, s23);
  x1 = plus_i(d01, d23);
  x2 = sub(s01, s23);
  x3 = minus_i(d01, d23);
}

// Butterflies between lanes l and l ^ s of one vector: lanes without bit s get u + v, lanes
// with it get v_lane's partner minus itself, i.e. u - v.
template <int S>
inline __m512d partner(__m512d x) {
  if constexpr (S == 4) return _mm512_shuffle_f64x2(x, x, 0x4E);
  if constexpr (S == 2) return _mm512_permutex_pd(x, 0x4E);
  if constexpr (S == 1) return _mm512_permute_pd(x, 0x55);
}
template <int S>
inline Cplx lane_butterfly(Cplx x) {
  constexpr __mmask8 high = S == 4 ? 0xF0 : S == 2 ? 0xCC : 0xAA;
  const __m512d pr = partner<S>(x.re), pi = partner<S>(x.im);
  return {_mm512_mask_sub_pd(_mm512_add_pd(x.re, pr), high, pr, x.re),
          _mm512_mask_sub_pd(_mm512_add_pd(x.im, pi), high, pi, x.im)};
}

// The last three forward stages (half-spans 4, 2, 1) inside one vector, and their inverse.
struct LaneTwiddles {
  __m512d r4, i4, r2, i2;
};
inline LaneTwiddles lane_twiddles(const FftTables& t) {
  return {_mm512_load_pd(t.lane_re[0]), _mm512_load_pd(t.lane_im[0]), _mm512_load_pd(t.lane_re[1]),
          _mm512_load_pd(t.lane_im[1])};
}
inline Cplx lanes_dif(Cplx x, const LaneTwiddles& l) {
  x = mul(lane_butterfly<4>(x), l.r4, l.i4);
  x = mul(lane_butterfly<2>(x), l.r2, l.i2);
  return lane_butterfly<1>(x);  // W_1 = 1
}
inline Cplx lanes_dit(Cplx x, const LaneTwiddles& l) {
  x = lane_butterfly<1>(x);
  x = lane_butterfly<2>(mul_conj(x, l.r2, l.i2));
  return lane_butterfly<4>(mul_conj(x, l.r4, l.i4));
}

// round(x) mod 2^64, exactly: the nearest multiple of 2^64 is subtracted in double (exact),
// leaving [-2^63, 2^63]; 2^63 converts to 0x8000000000000000, which is 2^63 mod 2^64.
inline __m512i to_torus(__m512d x) {
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512d r = _mm512_roundscale_pd(x, kNearest);
  const __m512d q = _mm512_roundscale_pd(_mm512_mul_pd(r, _mm512_set1_pd(0x1p-64)), kNearest);
  return _mm512_cvtpd_epi64(_mm512_fnmadd_pd(q, _mm512_set1_pd(0x1p64), r));
}
inline void store_torus(std::uint64_t* out, __m512d x, bool add) {
  __m512i v = to_torus(x);
  if (add) v = _mm512_add_epi64(v, _mm512_loadu_si512(out));
  _mm512_storeu_si512(out, v);
}

inline Cplx load_twisted(const std::int64_t* in, std::size_t h, std::size_t i, const FftTables& t) {
  const Cplx z{_mm512_cvtepi64_pd(_mm512_loadu_si512(in + i)), _mm512_cvtepi64_pd(_mm512_loadu_si512(in + i + h))};
  return mul(z, _mm512_loadu_pd(t.twist_re + i), _mm512_loadu_pd(t.twist_im + i));
}

// Number of stages between the fused first/last stage and the three in-register stages.
inline std::size_t middle_stage_count(std::size_t h) {
  std::size_t log_h = 0;
  while ((std::size_t{1} << log_h) < h) ++log_h;
  return log_h - 4;
}

}  // namespace

namespace {

// Every forward stage after the first (half-span h/2), in place on out.
void forward_after_first_stage(const FftTables& t, double* out) {
  const std::size_t h = t.half;
  double* re = out;
  double* im = out + h;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  const double* s3r = t.stage3_re;
  const double* s3i = t.stage3_im;
  std::size_t m = h / 4;
  if (middle_stage_count(h) % 2 == 1) {
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < m; j += 8) {
        Cplx u = load(re, im, b + j), v = load(re, im, b + j + m);
        dif(u, v, sr + m - 1 + j, si + m - 1 + j);
        store(re, im, b + j, u);
        store(re, im, b + j + m, v);
      }
    }
    m /= 2;
  }
  const Radix4Twiddles w{sr, si, s3r, s3i};
  for (; m >= 64; m /= 4) {
    const std::size_t q = m / 2;
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < q; j += 8) {
        Cplx x0 = load(re, im, b + j), x1 = load(re, im, b + j + q);
        Cplx x2 = load(re, im, b + j + m), x3 = load(re, im, b + j + m + q);
        radix4_dif(x0, x1, x2, x3, w, m, j);
        store(re, im, b + j, x0);
        store(re, im, b + j + q, x1);
        store(re, im, b + j + m, x2);
        store(re, im, b + j + m + q, x3);
      }
    }
  }
  const LaneTwiddles lanes = lane_twiddles(t);
  if (m == 16) {  // the last radix-4 pass (half-spans 16, 8) and the in-register stages share a load/store
    for (std::size_t b = 0; b < h; b += 32) {
      Cplx x0 = load(re, im, b), x1 = load(re, im, b + 8), x2 = load(re, im, b + 16), x3 = load(re, im, b + 24);
      radix4_dif(x0, x1, x2, x3, w, 16, 0);
      store(re, im, b, lanes_dif(x0, lanes));
      store(re, im, b + 8, lanes_dif(x1, lanes));
      store(re, im, b + 16, lanes_dif(x2, lanes));
      store(re, im, b + 24, lanes_dif(x3, lanes));
    }
  } else {
    for (std::size_t i = 0; i < h; i += 8) store(re, im, i, lanes_dif(load(re, im, i), lanes));
  }
}

// The balanced digits of 8 torus values, level-major as SignedDecomposer::decompose_slice
// writes them (level 0 the most significant): the same shifts, masks and carries, in lanes.
void decompose_lanes(__m512i x, int base_log, int levels, __m512d* digits) {
  const __m128i b = _mm_cvtsi32_si128(base_log), b1 = _mm_cvtsi32_si128(base_log - 1);
  const __m512i one = _mm512_set1_epi64(1), mask = _mm512_set1_epi64((std::int64_t{1} << base_log) - 1);
  __m512i state = _mm512_srl_epi64(
      _mm512_add_epi64(_mm512_srl_epi64(x, _mm_cvtsi32_si128(63 - base_log * levels)), one), _mm_cvtsi32_si128(1));
  for (int j = levels - 1; j >= 1; --j) {
    const __m512i digit = _mm512_and_si512(state, mask);
    const __m512i carry = _mm512_srl_epi64(digit, b1);
    state = _mm512_add_epi64(_mm512_srl_epi64(state, b), carry);
    digits[j] = _mm512_cvtepi64_pd(_mm512_sub_epi64(digit, _mm512_sll_epi64(carry, b)));
  }
  const __m512i digit = _mm512_and_si512(state, mask);
  digits[0] = _mm512_cvtepi64_pd(_mm512_sub_epi64(digit, _mm512_sll_epi64(_mm512_srl_epi64(digit, b1), b)));
}

}  // namespace

void fft_forward_avx512(const FftTables& t, const std::int64_t* in, double* out) {
  const std::size_t h = t.half, m = h / 2;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  for (std::size_t j = 0; j < m; j += 8) {
    Cplx u = load_twisted(in, h, j, t), v = load_twisted(in, h, j + m, t);
    dif(u, v, sr + m - 1 + j, si + m - 1 + j);
    store(out, out + h, j, u);
    store(out, out + h, j + m, v);
  }
  forward_after_first_stage(t, out);
}

void fft_forward_digits_avx512(const FftTables& t, const std::uint64_t* in, int base_log, int levels,
                               double* const* outs) {
  const std::size_t h = t.half, m = h / 2;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  __m512d d[4][kMaxDigitLevels];
  for (std::size_t j = 0; j < m; j += 8) {
    // The four loads of the first stage (u and v, real and imaginary halves), every level at once.
    const std::size_t at[4] = {j, j + h, j + m, j + m + h};
    for (int k = 0; k < 4; ++k) decompose_lanes(_mm512_loadu_si512(in + at[k]), base_log, levels, d[k]);
    const __m512d tw_ur = _mm512_loadu_pd(t.twist_re + j), tw_ui = _mm512_loadu_pd(t.twist_im + j);
    const __m512d tw_vr = _mm512_loadu_pd(t.twist_re + j + m), tw_vi = _mm512_loadu_pd(t.twist_im + j + m);
    for (int l = 0; l < levels; ++l) {
      Cplx u = mul(Cplx{d[0][l], d[1][l]}, tw_ur, tw_ui), v = mul(Cplx{d[2][l], d[3][l]}, tw_vr, tw_vi);
      dif(u, v, sr + m - 1 + j, si + m - 1 + j);
      store(outs[l], outs[l] + h, j, u);
      store(outs[l], outs[l] + h, j + m, v);
    }
  }
  for (int l = 0; l < levels; ++l) forward_after_first_stage(t, outs[l]);
}

void fft_backward_avx512(const FftTables& t, double* fourier, std::uint64_t* out, bool accumulate) {
  const std::size_t h = t.half;
  double* re = fourier;
  double* im = fourier + h;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  const double* s3r = t.stage3_re;
  const double* s3i = t.stage3_im;
  const LaneTwiddles lanes = lane_twiddles(t);
  const Radix4Twiddles w{sr, si, s3r, s3i};
  const std::size_t middle = middle_stage_count(h);
  std::size_t m = 16;  // the larger half-span of each radix-4 pass
  std::size_t pass = 0;
  if (middle >= 2) {  // the in-register stages and the first radix-4 pass (16, 8) share a load/store
    for (std::size_t b = 0; b < h; b += 32) {
      Cplx x0 = lanes_dit(load(re, im, b), lanes), x1 = lanes_dit(load(re, im, b + 8), lanes);
      Cplx x2 = lanes_dit(load(re, im, b + 16), lanes), x3 = lanes_dit(load(re, im, b + 24), lanes);
      radix4_dit(x0, x1, x2, x3, w, 16, 0);
      store(re, im, b, x0);
      store(re, im, b + 8, x1);
      store(re, im, b + 16, x2);
      store(re, im, b + 24, x3);
    }
    pass = 1;
    m = 64;
  } else {
    for (std::size_t i = 0; i < h; i += 8) store(re, im, i, lanes_dit(load(re, im, i), lanes));
  }
  for (; pass < middle / 2; ++pass, m *= 4) {
    const std::size_t q = m / 2;
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < q; j += 8) {
        Cplx x0 = load(re, im, b + j), x1 = load(re, im, b + j + q);
        Cplx x2 = load(re, im, b + j + m), x3 = load(re, im, b + j + m + q);
        radix4_dit(x0, x1, x2, x3, w, m, j);
        store(re, im, b + j, x0);
        store(re, im, b + j + q, x1);
        store(re, im, b + j + m, x2);
        store(re, im, b + j + m + q, x3);
      }
    }
  }
  m /= 2;  // the next single stage's half-span
  if (middle % 2 == 1) {
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < m; j += 8) {
        Cplx u = load(re, im, b + j), v = load(re, im, b + j + m);
        dit(u, v, sr + m - 1 + j, si + m - 1 + j);
        store(re, im, b + j, u);
        store(re, im, b + j + m, v);
      }
    }
    m *= 2;
  }
  const double* ur = t.untwist_re;
  const double* ui = t.untwist_im;
  for (std::size_t j = 0; j < m; j += 8) {
    Cplx u = load(re, im, j), v = load(re, im, j + m);
    dit(u, v, sr + m - 1 + j, si + m - 1 + j);
    u = mul_conj(u, _mm512_loadu_pd(ur + j), _mm512_loadu_pd(ui + j));
    v = mul_conj(v, _mm512_loadu_pd(ur + j + m), _mm512_loadu_pd(ui + j + m));
    store_torus(out + j, u.re, accumulate);
    store_torus(out + j + h, u.im, accumulate);
    store_torus(out + j + m, v.re, accumulate);
    store_torus(out + j + m + h, v.im, accumulate);
  }
}

}  // namespace veil::fhe::cpu
