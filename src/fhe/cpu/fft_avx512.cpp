// AVX-512 negacyclic FFT: split real/imaginary vectors of 8 doubles, radix-8 passes (three
// stages per load/store), the twist and int64->double conversion fused into the first forward
// stage, the untwist, scale and exact rounding to the torus fused into the last inverse stage.
// Stages and output order are those of portable_kernels.hpp. Compiled with AVX-512 flags
// (cmake/VeilLayer.cmake) and run only where cpu_features.hpp found AVX-512.
#include "fhe/cpu/avx512_kernels.hpp"

// GCC 12 flags the _mm512_undefined_* placeholders inside its own intrinsics headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <array>
#include <utility>

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

// One group of a radix-R pass (R = 2, 4 or 8): log2(R) decimation-in-frequency stages, the largest
// of half-span m, on x[k] at offset j + k*2m/R; radix 8 is one stage, then radix 4 on each half.
template <std::size_t R>
inline void dif_block(Cplx (&x)[R], const Radix4Twiddles& w, std::size_t m, std::size_t j) {
  if constexpr (R == 4) {
    radix4_dif(x[0], x[1], x[2], x[3], w, m, j);
  } else {
    for (std::size_t k = 0; k < R / 2; ++k) {
      dif(x[k], x[k + R / 2], w.sr + m - 1 + j + k * 2 * m / R, w.si + m - 1 + j + k * 2 * m / R);
    }
    if constexpr (R == 8) {
      radix4_dif(x[0], x[1], x[2], x[3], w, m / 2, j);
      radix4_dif(x[4], x[5], x[6], x[7], w, m / 2, j);
    }
  }
}

// Its inverse (decimation in time, conjugate twiddles).
template <std::size_t R>
inline void dit_block(Cplx (&x)[R], const Radix4Twiddles& w, std::size_t m, std::size_t j) {
  if constexpr (R == 4) {
    radix4_dit(x[0], x[1], x[2], x[3], w, m, j);
  } else {
    if constexpr (R == 8) {
      radix4_dit(x[0], x[1], x[2], x[3], w, m / 2, j);
      radix4_dit(x[4], x[5], x[6], x[7], w, m / 2, j);
    }
    for (std::size_t k = 0; k < R / 2; ++k) {
      dit(x[k], x[k + R / 2], w.sr + m - 1 + j + k * 2 * m / R, w.si + m - 1 + j + k * 2 * m / R);
    }
  }
}

// The last three stages (half-spans 4, 2, 1) act inside each 8-value block. Two blocks x, y
// run together: before each stage, the lane bit that stage pairs on trades places with the
// choice of vector, so its butterflies are whole-vector additions and its twiddles multiply one
// vector of the two. Per component: a vector pair (a, b) whose lane bit s is exchanged.
template <int S>
inline void swap_lane_bit(__m512d& a, __m512d& b) {
  const __m512d x = a;
  if constexpr (S == 4) {
    a = _mm512_shuffle_f64x2(x, b, 0x44);
    b = _mm512_shuffle_f64x2(x, b, 0xEE);
  } else if constexpr (S == 2) {
    a = _mm512_permutex2var_pd(x, _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), b);
    b = _mm512_permutex2var_pd(x, _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15), b);
  } else {
    a = _mm512_unpacklo_pd(x, b);
    b = _mm512_unpackhi_pd(x, b);
  }
}
template <int S>
inline void swap_lane_bit(Cplx& a, Cplx& b) {
  swap_lane_bit<S>(a.re, b.re);
  swap_lane_bit<S>(a.im, b.im);
}

// After the three exchanges, lane bits (2, 1, 0) hold (block, bit 2, bit 1) and the vector
// holds bit 0; back to one block per vector, and its inverse.
inline void blocks_from_bit0(__m512d& a, __m512d& b) {
  const __m512d x = a;
  a = _mm512_permutex2var_pd(x, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), b);
  b = _mm512_permutex2var_pd(x, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), b);
}
inline void bit0_from_blocks(__m512d& a, __m512d& b) {
  const __m512d x = a;
  a = _mm512_permutex2var_pd(x, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
  b = _mm512_permutex2var_pd(x, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
}

// Times W_4^(lane bit 0) = -i on odd lanes (b - ai), and its conjugate i (-b + ai).
constexpr __mmask8 kOddLanes = 0xAA;
inline Cplx odd_lanes_minus_i(Cplx x) {
  return {_mm512_mask_mov_pd(x.re, kOddLanes, x.im), _mm512_mask_sub_pd(x.im, kOddLanes, _mm512_setzero_pd(), x.re)};
}
inline Cplx odd_lanes_plus_i(Cplx x) {
  return {_mm512_mask_sub_pd(x.re, kOddLanes, _mm512_setzero_pd(), x.im), _mm512_mask_mov_pd(x.im, kOddLanes, x.re)};
}

// The half-span-4 twiddles W_8^(l % 4) in both halves: lanes 4..7 of the table's row.
struct LaneTwiddles {
  __m512d r4, i4;
};
inline LaneTwiddles lane_twiddles(const FftTables& t) {
  return {_mm512_broadcast_f64x4(_mm256_load_pd(t.lane_re[0] + 4)),
          _mm512_broadcast_f64x4(_mm256_load_pd(t.lane_im[0] + 4))};
}

inline void lanes_dif(Cplx& x, Cplx& y, const LaneTwiddles& l) {
  swap_lane_bit<4>(x, y);
  Cplx d = sub(x, y);
  x = add(x, y);
  y = mul(d, l.r4, l.i4);
  swap_lane_bit<2>(x, y);
  d = sub(x, y);
  x = add(x, y);
  y = odd_lanes_minus_i(d);
  swap_lane_bit<1>(x, y);
  d = sub(x, y);  // W_1 = 1
  x = add(x, y);
  blocks_from_bit0(x.re, d.re);
  blocks_from_bit0(x.im, d.im);
  y = d;
}
inline void lanes_dit(Cplx& x, Cplx& y, const LaneTwiddles& l) {
  bit0_from_blocks(x.re, y.re);
  bit0_from_blocks(x.im, y.im);
  Cplx d = sub(x, y);
  x = add(x, y);
  swap_lane_bit<1>(x, d);
  const Cplx c2 = odd_lanes_plus_i(d);
  d = sub(x, c2);
  x = add(x, c2);
  swap_lane_bit<2>(x, d);
  const Cplx c4 = mul_conj(d, l.r4, l.i4);
  d = sub(x, c4);
  x = add(x, c4);
  swap_lane_bit<4>(x, d);
  y = d;
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

// One pass of dif_block (forward) or dit_block (inverse) over the whole transform: its groups at
// every block b and offset j.
template <std::size_t R, bool Forward>
void radix_pass(double* re, double* im, std::size_t h, const Radix4Twiddles& w, std::size_t m) {
  const std::size_t e = 2 * m / R;
  for (std::size_t b = 0; b < h; b += 2 * m) {
    for (std::size_t j = 0; j < e; j += 8) {
      Cplx x[R];
      for (std::size_t k = 0; k < R; ++k) x[k] = load(re, im, b + j + k * e);
      if constexpr (Forward)
        dif_block(x, w, m, j);
      else
        dit_block(x, w, m, j);
      for (std::size_t k = 0; k < R; ++k) store(re, im, b + j + k * e, x[k]);
    }
  }
}

// The last S <= 3 memory stages (half-spans 2^(S+2) down to 8) share a load/store with the
// in-register ones, on blocks of 2^S vectors (at least 2: the in-register stages take pairs): the
// forward transform's last pass, or (Forward false) the inverse's first, in-register stages first.
template <std::size_t S, bool Forward>
void register_pass(double* re, double* im, std::size_t h, const Radix4Twiddles& w, const LaneTwiddles& lanes) {
  constexpr std::size_t R = std::size_t{1} << (S == 0 ? 1 : S);
  for (std::size_t b = 0; b < h; b += 8 * R) {
    Cplx x[R];
    for (std::size_t k = 0; k < R; ++k) x[k] = load(re, im, b + 8 * k);
    if constexpr (Forward) {
      if constexpr (S > 0) dif_block(x, w, 4 * R, 0);
      for (std::size_t k = 0; k < R; k += 2) lanes_dif(x[k], x[k + 1], lanes);
    } else {
      for (std::size_t k = 0; k < R; k += 2) lanes_dit(x[k], x[k + 1], lanes);
      if constexpr (S > 0) dit_block(x, w, 4 * R, 0);
    }
    for (std::size_t k = 0; k < R; ++k) store(re, im, b + 8 * k, x[k]);
  }
}

// The memory stages between the first/last one and the in-register ones: the last three (or
// fewer) share a pass with the in-register stages, the rest go three per pass (radix 8), a
// remainder of one or two stages first.
struct MiddlePasses {
  std::size_t last;       // stages fused with the in-register ones
  std::size_t remainder;  // stages of the pass next to the first/last stage, 0 to 2
  std::size_t radix8;     // radix-8 passes in between
};
inline MiddlePasses middle_passes(std::size_t h) {
  const std::size_t middle = middle_stage_count(h);
  const std::size_t last = middle < 3 ? middle : 3;
  return {last, (middle - last) % 3, (middle - last) / 3};
}

// Every forward stage after the first (half-span h/2), in place on out.
void forward_after_first_stage(const FftTables& t, double* out) {
  const std::size_t h = t.half;
  double* re = out;
  double* im = out + h;
  const Radix4Twiddles w{t.stage_re, t.stage_im, t.stage3_re, t.stage3_im};
  const MiddlePasses passes = middle_passes(h);
  std::size_t m = h / 4;
  if (passes.remainder == 1) radix_pass<2, true>(re, im, h, w, m);
  if (passes.remainder == 2) radix_pass<4, true>(re, im, h, w, m);
  m >>= passes.remainder;
  for (std::size_t p = 0; p < passes.radix8; ++p, m /= 8) radix_pass<8, true>(re, im, h, w, m);
  const LaneTwiddles lanes = lane_twiddles(t);
  switch (passes.last) {
    case 0: return register_pass<0, true>(re, im, h, w, lanes);
    case 1: return register_pass<1, true>(re, im, h, w, lanes);
    case 2: return register_pass<2, true>(re, im, h, w, lanes);
    default: return register_pass<3, true>(re, im, h, w, lanes);
  }
}

// The balanced digits of 8 torus values, level-major as SignedDecomposer::decompose_slice
// writes them (level 0 the most significant): the same shifts, masks and carries, in lanes.
template <int L>
inline void decompose_lanes(__m512i x, int base_log, __m512d (&digits)[L]) {
  const __m128i b = _mm_cvtsi32_si128(base_log), b1 = _mm_cvtsi32_si128(base_log - 1);
  const __m512i one = _mm512_set1_epi64(1), mask = _mm512_set1_epi64((std::int64_t{1} << base_log) - 1);
  __m512i state = _mm512_srl_epi64(_mm512_add_epi64(_mm512_srl_epi64(x, _mm_cvtsi32_si128(63 - base_log * L)), one),
                                   _mm_cvtsi32_si128(1));
  for (int j = L - 1; j >= 1; --j) {
    const __m512i digit = _mm512_and_si512(state, mask);
    const __m512i carry = _mm512_srl_epi64(digit, b1);
    state = _mm512_add_epi64(_mm512_srl_epi64(state, b), carry);
    digits[j] = _mm512_cvtepi64_pd(_mm512_sub_epi64(digit, _mm512_sll_epi64(carry, b)));
  }
  const __m512i digit = _mm512_and_si512(state, mask);
  digits[0] = _mm512_cvtepi64_pd(_mm512_sub_epi64(digit, _mm512_sll_epi64(_mm512_srl_epi64(digit, b1), b)));
}

// The first stage's input vectors, 8 torus values from coefficient i on: the polynomial itself...
struct PlainInput {
  const std::uint64_t* in;
  __m512i operator()(std::size_t i) const { return _mm512_loadu_si512(in + i); }
};

// ...or the CMUX's difference X^r * acc - acc (r < 2N), which is then never written. With
// s = r mod N, coefficient i of X^s * acc is acc[i - s], or -acc[i - s + N] where i < s (X^N = -1);
// r >= N flips every sign.
struct RotatedDifferenceInput {
  const std::uint64_t* acc;
  std::size_t n, shift;
  __mmask8 flip;  // all lanes when r >= N

  __m512i operator()(std::size_t i) const {
    __m512i x;
    __mmask8 wrapped;  // lanes with i + l < shift
    if (i >= shift) {
      x = _mm512_loadu_si512(acc + (i - shift));
      wrapped = 0;
    } else if (shift - i >= 8) {
      x = _mm512_loadu_si512(acc + (n + i - shift));
      wrapped = 0xFF;
    } else {
      // The vector across the wrap: its low lanes end acc, the others start it. Masked and
      // expanding loads keep both addresses inside acc.
      wrapped = static_cast<__mmask8>((1U << (shift - i)) - 1);
      x = _mm512_maskz_loadu_epi64(wrapped, acc + (n + i - shift));
      x = _mm512_mask_expandloadu_epi64(x, static_cast<__mmask8>(~wrapped), acc);
    }
    x = _mm512_mask_sub_epi64(x, static_cast<__mmask8>(wrapped ^ flip), _mm512_setzero_si512(), x);
    return _mm512_sub_epi64(x, _mm512_loadu_si512(acc + i));
  }
};

// The first stage of the transforms of L digit levels of the polynomial `input` reads. L is a
// template parameter so that the digits stay in registers between their decomposition and their
// butterflies.
template <int L, class Input>
void first_stage_digits(const FftTables& t, const Input& input, int base_log, double* const* outs) {
  const std::size_t h = t.half, m = h / 2;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  for (std::size_t j = 0; j < m; j += 8) {
    // The four loads of the first stage (u and v, real and imaginary halves), every level at once.
    const std::size_t at[4] = {j, j + h, j + m, j + m + h};
    __m512d d[4][L];
    for (int k = 0; k < 4; ++k) decompose_lanes(input(at[k]), base_log, d[k]);
    const __m512d tw_ur = _mm512_loadu_pd(t.twist_re + j), tw_ui = _mm512_loadu_pd(t.twist_im + j);
    const __m512d tw_vr = _mm512_loadu_pd(t.twist_re + j + m), tw_vi = _mm512_loadu_pd(t.twist_im + j + m);
    for (int l = 0; l < L; ++l) {
      Cplx u = mul(Cplx{d[0][l], d[1][l]}, tw_ur, tw_ui), v = mul(Cplx{d[2][l], d[3][l]}, tw_vr, tw_vi);
      dif(u, v, sr + m - 1 + j, si + m - 1 + j);
      store(outs[l], outs[l] + h, j, u);
      store(outs[l], outs[l] + h, j + m, v);
    }
  }
}

template <class Input>
using FirstStageDigits = void (*)(const FftTables&, const Input&, int, double* const*);
template <class Input, std::size_t... I>
constexpr std::array<FirstStageDigits<Input>, sizeof...(I)> first_stages_digits(std::index_sequence<I...>) {
  return {first_stage_digits<static_cast<int>(I) + 1, Input>...};
}
// Entry l - 1: the first stage for l levels.
template <class Input>
constexpr auto kFirstStageDigits = first_stages_digits<Input>(std::make_index_sequence<kMaxDigitLevels>{});

template <class Input>
void forward_digits(const FftTables& t, const Input& input, int base_log, int levels, double* const* outs) {
  kFirstStageDigits<Input>[static_cast<std::size_t>(levels - 1)](t, input, base_log, outs);
  for (int l = 0; l < levels; ++l) forward_after_first_stage(t, outs[l]);
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
  forward_digits(t, PlainInput{in}, base_log, levels, outs);
}

void fft_forward_rotated_digits_avx512(const FftTables& t, const std::uint64_t* acc, std::size_t rotation, int base_log,
                                       int levels, double* const* outs) {
  const std::size_t n = 2 * t.half;
  const bool negated = rotation >= n;
  const RotatedDifferenceInput input{acc, n, negated ? rotation - n : rotation, negated ? __mmask8{0xFF} : __mmask8{0}};
  forward_digits(t, input, base_log, levels, outs);
}

void fft_backward_avx512(const FftTables& t, double* fourier, std::uint64_t* out, bool accumulate) {
  const std::size_t h = t.half;
  double* re = fourier;
  double* im = fourier + h;
  const double* sr = t.stage_re;
  const double* si = t.stage_im;
  const double* s3r = t.stage3_re;
  const double* s3i = t.stage3_im;
  const Radix4Twiddles w{sr, si, s3r, s3i};
  const MiddlePasses passes = middle_passes(h);
  const LaneTwiddles lanes = lane_twiddles(t);
  switch (passes.last) {
    case 0: register_pass<0, false>(re, im, h, w, lanes); break;
    case 1: register_pass<1, false>(re, im, h, w, lanes); break;
    case 2: register_pass<2, false>(re, im, h, w, lanes); break;
    default: register_pass<3, false>(re, im, h, w, lanes);
  }
  for (std::size_t p = 0, m = 256; p < passes.radix8; ++p, m *= 8) radix_pass<8, false>(re, im, h, w, m);
  if (passes.remainder == 1) radix_pass<2, false>(re, im, h, w, h / 4);
  if (passes.remainder == 2) radix_pass<4, false>(re, im, h, w, h / 4);
  const std::size_t m = h / 2;
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
