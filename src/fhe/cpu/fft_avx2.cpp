// AVX2 + FMA negacyclic FFT: the AVX-512 transform's design (fft_avx512.cpp) on vectors of 4
// doubles: split real/imaginary vectors, radix-4 passes (two stages per load/store), the twist
// and the integer->double conversion fused into the first forward stage, the untwist, scale and
// exact rounding to the torus fused into the last inverse stage, the last two stages (half-spans
// 2 and 1) inside one vector. AVX2 has no 64-bit integer <-> double conversions: the ones below
// are exact by construction (each says why), so the results round exactly as the scalar table's
// casts do. Stages and output order are those of portable_kernels.hpp. Compiled with AVX2 flags
// (cmake/VeilLayer.cmake) and run only where cpu_features.hpp found AVX2 and FMA.
#include <immintrin.h>

#include "fhe/cpu/avx2_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

struct Cplx {
  __m256d re, im;
};

inline Cplx load(const double* re, const double* im, std::size_t i) {
  return {_mm256_loadu_pd(re + i), _mm256_loadu_pd(im + i)};
}
inline void store(double* re, double* im, std::size_t i, Cplx c) {
  _mm256_storeu_pd(re + i, c.re);
  _mm256_storeu_pd(im + i, c.im);
}
inline Cplx add(Cplx a, Cplx b) { return {_mm256_add_pd(a.re, b.re), _mm256_add_pd(a.im, b.im)}; }
inline Cplx sub(Cplx a, Cplx b) { return {_mm256_sub_pd(a.re, b.re), _mm256_sub_pd(a.im, b.im)}; }
inline Cplx mul(Cplx a, __m256d wr, __m256d wi) {
  return {_mm256_fmsub_pd(a.re, wr, _mm256_mul_pd(a.im, wi)), _mm256_fmadd_pd(a.re, wi, _mm256_mul_pd(a.im, wr))};
}
inline Cplx mul_conj(Cplx a, __m256d wr, __m256d wi) {
  return {_mm256_fmadd_pd(a.re, wr, _mm256_mul_pd(a.im, wi)), _mm256_fmsub_pd(a.im, wr, _mm256_mul_pd(a.re, wi))};
}

// a - i*b and a + i*b: the W^(m/2) = -i twiddle of a radix-4 pass costs additions only.
inline Cplx minus_i(Cplx a, Cplx b) { return {_mm256_add_pd(a.re, b.im), _mm256_sub_pd(a.im, b.re)}; }
inline Cplx plus_i(Cplx a, Cplx b) { return {_mm256_sub_pd(a.re, b.im), _mm256_add_pd(a.im, b.re)}; }

// Decimation-in-frequency butterfly and its inverse (decimation in time, conjugate twiddle).
inline void dif(Cplx& u, Cplx& v, const double* wr, const double* wi) {
  const Cplx d = sub(u, v);
  u = add(u, v);
  v = mul(d, _mm256_loadu_pd(wr), _mm256_loadu_pd(wi));
}
inline void dit(Cplx& u, Cplx& v, const double* wr, const double* wi) {
  const Cplx x = mul_conj(v, _mm256_loadu_pd(wr), _mm256_loadu_pd(wi));
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
  x1 = mul(sub(s02, s13), _mm256_loadu_pd(w.sr + q - 1 + j), _mm256_loadu_pd(w.si + q - 1 + j));
  x2 = mul(minus_i(d02, d13), _mm256_loadu_pd(w.sr + m - 1 + j), _mm256_loadu_pd(w.si + m - 1 + j));
  x3 = mul(plus_i(d02, d13), _mm256_loadu_pd(w.s3r + m - 1 + j), _mm256_loadu_pd(w.s3i + m - 1 + j));
}

// Its inverse (decimation in time, conjugate twiddles).
inline void radix4_dit(Cplx& x0, Cplx& x1, Cplx& x2, Cplx& x3, const Radix4Twiddles& w, std::size_t m, std::size_t j) {
  const std::size_t q = m / 2;
  const Cplx c1 = mul_conj(x1, _mm256_loadu_pd(w.sr + q - 1 + j), _mm256_loadu_pd(w.si + q - 1 + j));
  const Cplx c2 = mul_conj(x2, _mm256_loadu_pd(w.sr + m - 1 + j), _mm256_loadu_pd(w.si + m - 1 + j));
  const Cplx c3 = mul_conj(x3, _mm256_loadu_pd(w.s3r + m - 1 + j), _mm256_loadu_pd(w.s3i + m - 1 + j));
  const Cplx s01 = add(x0, c1), d01 = sub(x0, c1), s23 = add(c2, c3), d23 = sub(c2, c3);
  x0 = add(s01, s23);
  x1 = plus_i(d01, d23);
  x2 = sub(s01, s23);
  x3 = minus_i(d01, d23);
}

// Butterflies between lanes l and l ^ S of one vector: lanes without bit S get x + partner,
// lanes with it partner - x, in one FMA with a +-1 factor (exact).
template <int S>
inline __m256d lane_butterfly(__m256d x) {
  if constexpr (S == 2) {
    const __m256d sign = _mm256_setr_pd(1.0, 1.0, -1.0, -1.0);
    return _mm256_fmadd_pd(x, sign, _mm256_permute2f128_pd(x, x, 0x01));
  } else {
    const __m256d sign = _mm256_setr_pd(1.0, -1.0, 1.0, -1.0);
    return _mm256_fmadd_pd(x, sign, _mm256_permute_pd(x, 0x5));
  }
}
template <int S>
inline Cplx lane_butterfly(Cplx x) {
  return {lane_butterfly<S>(x.re), lane_butterfly<S>(x.im)};
}

// The last two forward stages (half-spans 2, 1) inside one vector, and their inverse. The lane
// twiddles are the first four lanes of the tables' half-span-2 row (W_1 = 1 needs none).
struct LaneTwiddles {
  __m256d r2, i2;
};
inline LaneTwiddles lane_twiddles(const FftTables& t) {
  return {_mm256_load_pd(t.lane_re[1]), _mm256_load_pd(t.lane_im[1])};
}
inline Cplx lanes_dif(Cplx x, const LaneTwiddles& l) {
  return lane_butterfly<1>(mul(lane_butterfly<2>(x), l.r2, l.i2));
}
inline Cplx lanes_dit(Cplx x, const LaneTwiddles& l) {
  return lane_butterfly<2>(mul_conj(lane_butterfly<1>(x), l.r2, l.i2));
}

// An integer-valued double v with |v| < 2^51 as int64: v + 1.5 * 2^52 keeps v in its low
// mantissa bits, exactly.
constexpr double kMagic = 0x1.8p52;
inline __m256i small_to_int64(__m256d v) {
  const __m256d magic = _mm256_set1_pd(kMagic);
  return _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(v, magic)), _mm256_castpd_si256(magic));
}
// The inverse: an int64 with |x| < 2^51 as double, exactly.
inline __m256d small_to_double(__m256i x) {
  const __m256d magic = _mm256_set1_pd(kMagic);
  return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(x, _mm256_castpd_si256(magic))), magic);
}

// Any int64 as the nearest double (what a cast gives): its high 48 bits, sign-extended from
// the logical shift ((v ^ 2^47) - 2^47), and its low 16 bits are each exact in double; the one
// rounding is the final addition's.
inline __m256i sign_extend_48(__m256i v) {
  const __m256i bit47 = _mm256_set1_epi64x(std::int64_t{1} << 47);
  return _mm256_sub_epi64(_mm256_xor_si256(v, bit47), bit47);
}
inline __m256d int64_to_double(__m256i x) {
  const __m256d high = _mm256_mul_pd(small_to_double(sign_extend_48(_mm256_srli_epi64(x, 16))), _mm256_set1_pd(0x1p16));
  return _mm256_add_pd(high, small_to_double(_mm256_and_si256(x, _mm256_set1_epi64x(0xFFFF))));
}

// round(x) mod 2^64, exactly: the nearest multiple of 2^64 is subtracted in double (exact),
// leaving w in [-2^63, 2^63], an integer; w = hi * 2^32 + lo with hi = floor(w / 2^32) and
// lo in [0, 2^32), both exact, each converted exactly, then joined mod 2^64 (2^63 gives
// 0x8000000000000000, which is 2^63 mod 2^64).
inline __m256i to_torus(__m256d x) {
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m256d r = _mm256_round_pd(x, kNearest);
  const __m256d q = _mm256_round_pd(_mm256_mul_pd(r, _mm256_set1_pd(0x1p-64)), kNearest);
  const __m256d w = _mm256_fnmadd_pd(q, _mm256_set1_pd(0x1p64), r);
  const __m256d hi = _mm256_floor_pd(_mm256_mul_pd(w, _mm256_set1_pd(0x1p-32)));
  const __m256d lo = _mm256_fnmadd_pd(hi, _mm256_set1_pd(0x1p32), w);
  return _mm256_add_epi64(_mm256_slli_epi64(small_to_int64(hi), 32), small_to_int64(lo));
}
inline void store_torus(std::uint64_t* out, __m256d x, bool add) {
  __m256i v = to_torus(x);
  auto* at = reinterpret_cast<__m256i*>(out);
  if (add) v = _mm256_add_epi64(v, _mm256_loadu_si256(at));
  _mm256_storeu_si256(at, v);
}

inline __m256i load_int64(const void* at) { return _mm256_loadu_si256(static_cast<const __m256i*>(at)); }

inline Cplx load_twisted(const std::int64_t* in, std::size_t h, std::size_t i, const FftTables& t) {
  const Cplx z{int64_to_double(load_int64(in + i)), int64_to_double(load_int64(in + i + h))};
  return mul(z, _mm256_loadu_pd(t.twist_re + i), _mm256_loadu_pd(t.twist_im + i));
}

// One radix-2 stage of half-span m over every block: Butterfly is dif or dit.
template <void (*Butterfly)(Cplx&, Cplx&, const double*, const double*)>
inline void radix2_pass(double* re, double* im, std::size_t h, std::size_t m, const FftTables& t) {
  for (std::size_t b = 0; b < h; b += 2 * m) {
    for (std::size_t j = 0; j < m; j += 4) {
      Cplx u = load(re, im, b + j), v = load(re, im, b + j + m);
      Butterfly(u, v, t.stage_re + m - 1 + j, t.stage_im + m - 1 + j);
      store(re, im, b + j, u);
      store(re, im, b + j + m, v);
    }
  }
}

// One radix-4 pass (half-spans m and m/2) over every block: Butterfly is radix4_dif or radix4_dit.
template <void (*Butterfly)(Cplx&, Cplx&, Cplx&, Cplx&, const Radix4Twiddles&, std::size_t, std::size_t)>
inline void radix4_pass(double* re, double* im, std::size_t h, std::size_t m, const Radix4Twiddles& w) {
  const std::size_t q = m / 2;
  for (std::size_t b = 0; b < h; b += 2 * m) {
    for (std::size_t j = 0; j < q; j += 4) {
      Cplx x0 = load(re, im, b + j), x1 = load(re, im, b + j + q);
      Cplx x2 = load(re, im, b + j + m), x3 = load(re, im, b + j + m + q);
      Butterfly(x0, x1, x2, x3, w, m, j);
      store(re, im, b + j, x0);
      store(re, im, b + j + q, x1);
      store(re, im, b + j + m, x2);
      store(re, im, b + j + m + q, x3);
    }
  }
}

// Number of stages between the fused first/last stage and the two in-register stages.
inline std::size_t middle_stage_count(std::size_t h) {
  std::size_t log_h = 0;
  while ((std::size_t{1} << log_h) < h) ++log_h;
  return log_h - 3;
}

// Every forward stage after the first (half-span h/2), in place on out.
void forward_after_first_stage(const FftTables& t, double* out) {
  const std::size_t h = t.half;
  double* re = out;
  double* im = out + h;
  std::size_t m = h / 4;
  if (middle_stage_count(h) % 2 == 1) {
    radix2_pass<dif>(re, im, h, m, t);
    m /= 2;
  }
  const Radix4Twiddles w{t.stage_re, t.stage_im, t.stage3_re, t.stage3_im};
  for (; m >= 32; m /= 4) radix4_pass<radix4_dif>(re, im, h, m, w);
  const LaneTwiddles lanes = lane_twiddles(t);
  if (m == 8) {  // the last radix-4 pass (half-spans 8, 4) and the in-register stages share a load/store
    for (std::size_t b = 0; b < h; b += 16) {
      Cplx x0 = load(re, im, b), x1 = load(re, im, b + 4), x2 = load(re, im, b + 8), x3 = load(re, im, b + 12);
      radix4_dif(x0, x1, x2, x3, w, 8, 0);
      store(re, im, b, lanes_dif(x0, lanes));
      store(re, im, b + 4, lanes_dif(x1, lanes));
      store(re, im, b + 8, lanes_dif(x2, lanes));
      store(re, im, b + 12, lanes_dif(x3, lanes));
    }
  } else {
    for (std::size_t i = 0; i < h; i += 4) store(re, im, i, lanes_dif(load(re, im, i), lanes));
  }
}

// The balanced digits of 4 torus values, level-major as SignedDecomposer::decompose_slice
// writes them (level 0 the most significant): the same shifts, masks and carries, in lanes.
template <int Levels>
inline void decompose_lanes(__m256i x, int base_log, __m256d* digits) {
  const __m128i b = _mm_cvtsi32_si128(base_log), b1 = _mm_cvtsi32_si128(base_log - 1);
  const __m256i one = _mm256_set1_epi64x(1), mask = _mm256_set1_epi64x((std::int64_t{1} << base_log) - 1);
  __m256i state = _mm256_srl_epi64(
      _mm256_add_epi64(_mm256_srl_epi64(x, _mm_cvtsi32_si128(63 - base_log * Levels)), one), _mm_cvtsi32_si128(1));
  for (int j = Levels - 1; j >= 1; --j) {
    const __m256i digit = _mm256_and_si256(state, mask);
    const __m256i carry = _mm256_srl_epi64(digit, b1);
    state = _mm256_add_epi64(_mm256_srl_epi64(state, b), carry);
    digits[j] = small_to_double(_mm256_sub_epi64(digit, _mm256_sll_epi64(carry, b)));
  }
  const __m256i digit = _mm256_and_si256(state, mask);
  digits[0] = small_to_double(_mm256_sub_epi64(digit, _mm256_sll_epi64(_mm256_srl_epi64(digit, b1), b)));
}

// The first forward stage of every level's digit polynomial, with a level count the compiler
// knows, so that the digits stay in registers.
template <int Levels>
void forward_digits_first_stage(const FftTables& t, const std::uint64_t* in, int base_log, double* const* outs) {
  const std::size_t h = t.half, m = h / 2;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  for (std::size_t j = 0; j < m; j += 4) {
    // The four loads of the first stage (u and v, real and imaginary halves), every level at once.
    __m256d d[4][Levels];
    const std::size_t at[4] = {j, j + h, j + m, j + m + h};
    for (int k = 0; k < 4; ++k) decompose_lanes<Levels>(load_int64(in + at[k]), base_log, d[k]);
    const __m256d tw_ur = _mm256_loadu_pd(t.twist_re + j), tw_ui = _mm256_loadu_pd(t.twist_im + j);
    const __m256d tw_vr = _mm256_loadu_pd(t.twist_re + j + m), tw_vi = _mm256_loadu_pd(t.twist_im + j + m);
    for (int l = 0; l < Levels; ++l) {
      Cplx u = mul(Cplx{d[0][l], d[1][l]}, tw_ur, tw_ui), v = mul(Cplx{d[2][l], d[3][l]}, tw_vr, tw_vi);
      dif(u, v, sr + m - 1 + j, si + m - 1 + j);
      store(outs[l], outs[l] + h, j, u);
      store(outs[l], outs[l] + h, j + m, v);
    }
  }
}

}  // namespace

void torus_from_doubles_avx2(const double* in, std::size_t n, std::uint64_t* out) {
  for (std::size_t i = 0; i < n; i += 4) store_torus(out + i, _mm256_loadu_pd(in + i), false);
}

void doubles_from_int64_avx2(const std::int64_t* in, std::size_t n, double* out) {
  for (std::size_t i = 0; i < n; i += 4) _mm256_storeu_pd(out + i, int64_to_double(load_int64(in + i)));
}

void fft_forward_avx2(const FftTables& t, const std::int64_t* in, double* out) {
  const std::size_t h = t.half, m = h / 2;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  for (std::size_t j = 0; j < m; j += 4) {
    Cplx u = load_twisted(in, h, j, t), v = load_twisted(in, h, j + m, t);
    dif(u, v, sr + m - 1 + j, si + m - 1 + j);
    store(out, out + h, j, u);
    store(out, out + h, j + m, v);
  }
  forward_after_first_stage(t, out);
}

void fft_forward_digits_avx2(const FftTables& t, const std::uint64_t* in, int base_log, int levels,
                             double* const* outs) {
  static_assert(kMaxDigitLevels == 8, "one case per level count below");
  switch (levels) {
    case 1: forward_digits_first_stage<1>(t, in, base_log, outs); break;
    case 2: forward_digits_first_stage<2>(t, in, base_log, outs); break;
    case 3: forward_digits_first_stage<3>(t, in, base_log, outs); break;
    case 4: forward_digits_first_stage<4>(t, in, base_log, outs); break;
    case 5: forward_digits_first_stage<5>(t, in, base_log, outs); break;
    case 6: forward_digits_first_stage<6>(t, in, base_log, outs); break;
    case 7: forward_digits_first_stage<7>(t, in, base_log, outs); break;
    default: forward_digits_first_stage<8>(t, in, base_log, outs); break;
  }
  for (int l = 0; l < levels; ++l) forward_after_first_stage(t, outs[l]);
}

void fft_backward_avx2(const FftTables& t, double* fourier, std::uint64_t* out, bool accumulate) {
  const std::size_t h = t.half;
  double* re = fourier;
  double* im = fourier + h;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  const LaneTwiddles lanes = lane_twiddles(t);
  const Radix4Twiddles w{sr, si, t.stage3_re, t.stage3_im};
  const std::size_t middle = middle_stage_count(h);
  std::size_t m = 8;  // the larger half-span of each radix-4 pass
  std::size_t pass = 0;
  if (middle >= 2) {  // the in-register stages and the first radix-4 pass (8, 4) share a load/store
    for (std::size_t b = 0; b < h; b += 16) {
      Cplx x0 = lanes_dit(load(re, im, b), lanes), x1 = lanes_dit(load(re, im, b + 4), lanes);
      Cplx x2 = lanes_dit(load(re, im, b + 8), lanes), x3 = lanes_dit(load(re, im, b + 12), lanes);
      radix4_dit(x0, x1, x2, x3, w, 8, 0);
      store(re, im, b, x0);
      store(re, im, b + 4, x1);
      store(re, im, b + 8, x2);
      store(re, im, b + 12, x3);
    }
    pass = 1;
    m = 32;
  } else {
    for (std::size_t i = 0; i < h; i += 4) store(re, im, i, lanes_dit(load(re, im, i), lanes));
  }
  for (; pass < middle / 2; ++pass, m *= 4) radix4_pass<radix4_dit>(re, im, h, m, w);
  m /= 2;  // the next single stage's half-span
  if (middle % 2 == 1) {
    radix2_pass<dit>(re, im, h, m, t);
    m *= 2;
  }
  const double* ur = t.untwist_re;
  const double* ui = t.untwist_im;
  for (std::size_t j = 0; j < m; j += 4) {
    Cplx u = load(re, im, j), v = load(re, im, j + m);
    dit(u, v, sr + m - 1 + j, si + m - 1 + j);
    u = mul_conj(u, _mm256_loadu_pd(ur + j), _mm256_loadu_pd(ui + j));
    v = mul_conj(v, _mm256_loadu_pd(ur + j + m), _mm256_loadu_pd(ui + j + m));
    store_torus(out + j, u.re, accumulate);
    store_torus(out + j + h, u.im, accumulate);
    store_torus(out + j + m, v.re, accumulate);
    store_torus(out + j + m + h, v.im, accumulate);
  }
}

}  // namespace veil::fhe::cpu
