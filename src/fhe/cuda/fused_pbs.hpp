#pragma once
// The fused blind rotation: one thread block (CTA) per ciphertext runs the whole PBS after key
// switching (table load, n CMUX steps, sample extraction) with its GLWE accumulator in shared
// memory, and its own negacyclic FFT in shared memory (no cuFFT, one launch per chunk).
// docs/cuda_backend.md, "Fused blind rotation", has the design, the memory budget and the roofline.
//
// The block body is written once for two callers. It is a sequence of phases separated by
// barriers; a phase is a function of (thread index, thread count) over shared memory. The
// kernel (kernels.cu) runs each phase for threadIdx.x and then __syncthreads(); the host block
// emulator (HostBlock in block.hpp, used by the tests) runs each phase for every thread index in turn,
// shared memory being host arrays. Nothing a thread computes survives a phase except through
// shared or global memory or its Block::Registers, and values kept across phases (the rotation of
// a step) are read identically by every thread, so the two executions compute the same thing.
//
// The FFT is the CPU's scalar transform (cpu/fft_scalar.cpp), butterfly for butterfly and with its
// twiddle tables: decimation in frequency forward (natural in, bit-reversed out), decimation in
// time inverse (bit-reversed in, natural out). A phase takes a thread's group of up to 8 points
// through 3 stages in registers. The bootstrapping key is uploaded in the bit-reversed order,
// which is the CPU key's own (fourier_layout.hpp: to_fused_order), so no permutation is needed.
// Loops over a group's points and a thread's accumulators unroll on the device (VEIL_UNROLL), so
// that their arrays stay in registers.
#include <type_traits>

#include "fhe/cuda/block.hpp"
#include "fhe/cuda/device_steps.hpp"

namespace veil::fhe::cuda {

/// Shapes the fused kernel takes (others run the cuFFT path): N in [kFusedMinN, kFusedMaxN],
/// (k+1)*levels <= kFusedMaxRows, at most kFusedMaxThreads threads, and fused_shared_bytes within
/// the device's per-block limit.
constexpr std::uint32_t kFusedMinN = 512;
constexpr std::uint32_t kFusedMaxN = 4096;
constexpr std::uint32_t kFusedMaxRows = 8;
/// Most threads per fused block (the kernel's launch bound).
constexpr unsigned kFusedMaxThreads = 512;
/// Largest GLWE dimension k the kernel is built for (one instantiation per k).
constexpr std::uint32_t kFusedMaxK = 4;
/// Fourier accumulators a thread keeps in registers across a CMUX step: (k+1) x its points.
constexpr unsigned kFusedAccumulators = 8;
/// Stages an FFT phase takes through registers: groups of 2^3 points.
constexpr unsigned kFusedRadixLog = 3;

/// Points of each Fourier accumulator a thread owns, for `components` = k+1: the largest power
/// of two <= 4 with components x points <= kFusedAccumulators (4 for k = 1, 2 for k = 2..3, 1 above).
VEIL_HD constexpr unsigned fused_points_for(unsigned components) {
  unsigned points = 4;
  while (points > 1 && components * points > kFusedAccumulators) points /= 2;
  return points;
}

VEIL_HD unsigned fused_points_per_thread(const PbsShape& s) { return fused_points_for(s.k + 1); }

/// Threads of a fused block: one per fused_points_per_thread points of an N/2-point transform
/// (N/8 for k = 1: 512 at N = 4096). Each half of the block transforms one digit polynomial.
VEIL_HD unsigned fused_block_threads(const PbsShape& s) { return s.half() / fused_points_per_thread(s); }

/// Complex values of an h-point array padded by one value per 8, so that the 8 threads served
/// by one shared-memory wavefront hit distinct banks at every pass's stride.
VEIL_HD std::uint32_t fused_padded(std::uint32_t i) { return i + (i >> 3); }

/// A digit set: two digit polynomials (the halves of the block), or the k+1 Fourier
/// accumulators before the inverse transform, whichever is larger; padded.
VEIL_HD std::size_t fused_set_complex(const PbsShape& s) {
  const std::uint32_t arrays = s.k + 1 > 2 ? s.k + 1 : 2;
  return std::size_t{arrays} * fused_padded(s.half());
}

/// Dynamic shared memory of one fused block: the accumulator ((k+1)*N torus values) and two
/// digit sets (one pair of rows transforms while the previous pair is multiplied by the key).
VEIL_HD std::size_t fused_shared_bytes(const PbsShape& s) {
  return s.glwe_size() * sizeof(Torus) + 2 * fused_set_complex(s) * sizeof(Complex);
}

/// Runs f(std::integral_constant<unsigned, k+1>{}) for k in 1..kFusedMaxK (the kernel's
/// instantiations); other k do nothing (fused_shape_supported refuses them).
template <class F>
void with_fused_components(std::uint32_t k, F&& f) {
  switch (k) {
    case 1: f(std::integral_constant<unsigned, 2>{}); break;
    case 2: f(std::integral_constant<unsigned, 3>{}); break;
    case 3: f(std::integral_constant<unsigned, 4>{}); break;
    case 4: f(std::integral_constant<unsigned, 5>{}); break;
    default: break;
  }
}

inline bool fused_shape_supported(const PbsShape& s, std::size_t max_shared_bytes) {
  return s.N >= kFusedMinN && s.N <= kFusedMaxN && s.k >= 1 && s.k <= kFusedMaxK && s.rows() <= kFusedMaxRows &&
         fused_block_threads(s) <= kFusedMaxThreads && fused_shared_bytes(s) <= max_shared_bytes;
}

/// Everything one fused launch reads and writes (device pointers; host pointers in the emulator).
struct FusedPbsArgs {
  PbsShape s;
  const Complex* ggsws;              // n GGSWs: row r -> output component c -> N/2 points, FFT order
  const Complex* twist;              // w^q, q < N/2
  const Complex* untwist;            // w^q / (N/2)
  const Complex* stage;              // exp(-i*pi*j/m) at m-1+j (NegacyclicFft::Tables::stage_*)
  const Torus* tables;               // distinct tables, N values each
  const std::uint32_t* table_index;  // per ciphertext of the launch
  const std::uint32_t* switched;     // per ciphertext: n+1 values mod 2N (mask, body)
  Torus* out;                        // per ciphertext: k*N+1 values
};

/// A block's shared memory, carved from one byte array of fused_shared_bytes(s).
struct FusedShared {
  Complex* sets[2];  // fused_set_complex(s) each: digit polynomials, then the Fourier accumulators
  Torus* acc;        // (k+1) x N
};

VEIL_HD FusedShared carve_fused_shared(unsigned char* base, const PbsShape& s) {
  FusedShared sh;
  sh.sets[0] = reinterpret_cast<Complex*>(base);  // first: 16-byte alignment
  sh.sets[1] = sh.sets[0] + fused_set_complex(s);
  sh.acc = reinterpret_cast<Torus*>(sh.sets[1] + fused_set_complex(s));
  return sh;
}

/// A read of read-only global data (the key, the tables) through the read-only cache.
VEIL_HD Complex load_constant(const Complex* p) {
#if defined(__CUDA_ARCH__)
  const double2 v = __ldg(reinterpret_cast<const double2*>(p));
  return Complex{v.x, v.y};
#else
  return *p;
#endif
}

/// x[p], x[q] = x[p] + x[q], (x[p] - x[q]) * w: a decimation-in-frequency butterfly.
VEIL_HD void dif_butterfly(Complex* x, unsigned p, unsigned q, Complex w) {
  const Complex a = x[p], b = x[q];
  const double dr = a.re - b.re, di = a.im - b.im;
  x[p] = Complex{a.re + b.re, a.im + b.im};
  x[q] = Complex{dr * w.re - di * w.im, dr * w.im + di * w.re};
}

/// x[p], x[q] = x[p] + x[q]*conj(w), x[p] - x[q]*conj(w): a decimation-in-time butterfly.
VEIL_HD void dit_butterfly(Complex* x, unsigned p, unsigned q, Complex w) {
  const Complex a = x[p], b = x[q];
  const double vr = b.re * w.re + b.im * w.im;
  const double vi = b.im * w.re - b.re * w.im;
  x[q] = Complex{a.re - vr, a.im - vi};
  x[p] = Complex{a.re + vr, a.im + vi};
}

/// One phase of an FFT: its first stage's half-span and how many stages it takes.
struct FftPass {
  std::uint32_t span;
  unsigned stages;
};

/// log2(h) for a power of two h.
VEIL_HD unsigned log2_of(std::uint32_t h) {
  unsigned bits = 0;
  while ((std::uint32_t{1} << bits) < h) ++bits;
  return bits;
}

/// Phases of an h-point transform: kFusedRadixLog stages each, the last one the rest.
VEIL_HD unsigned fft_pass_count(std::uint32_t h) { return (log2_of(h) + kFusedRadixLog - 1) / kFusedRadixLog; }

/// Pass `index` of the forward transform: half-spans h/2, h/4, ... down to 1.
VEIL_HD FftPass forward_pass(std::uint32_t h, unsigned index) {
  const unsigned done = index * kFusedRadixLog, left = log2_of(h) - done;
  return FftPass{(h / 2) >> done, left < kFusedRadixLog ? left : kFusedRadixLog};
}

/// Pass `index` of the inverse transform: half-spans 1, 2, ... up to h/2.
VEIL_HD FftPass inverse_pass(std::uint32_t h, unsigned index) {
  const unsigned done = index * kFusedRadixLog, left = log2_of(h) - done;
  return FftPass{std::uint32_t{1} << done, left < kFusedRadixLog ? left : kFusedRadixLog};
}

/// The groups of `lane` (of `lanes`) in a pass of S stages over `count` h-point arrays (flat
/// indices a*h + x). A group is the 2^S points p + i*spacing, spacing the pass's smallest
/// half-span: forward (decimation in frequency), stages span, span/2, ...; inverse (decimation in
/// time, conjugate twiddles), stages span, 2*span, .... A stage of half-span M pairs the group's
/// points (i, i+d), i & d == 0, d = M / spacing, with twiddle W_M[x mod M] = stage[M-1 + x mod M].
/// load(index) gives a point, store(index, value) takes it.
template <unsigned S, bool kForward, class Load, class Store>
VEIL_HD void fft_groups(std::uint32_t count, std::uint32_t h, std::uint32_t span, const Complex* stage, unsigned lane,
                        unsigned lanes, Load load, Store store) {
  constexpr unsigned P = 1u << S;
  const std::uint32_t spacing = kForward ? span >> (S - 1) : span;
  for (std::uint32_t g = lane; g < count * (h / P); g += lanes) {
    const std::uint32_t array = g / (h / P), local = g % (h / P);
    const std::uint32_t j = local & (spacing - 1);
    const std::uint32_t base = array * h + (local - j) * P + j;
    Complex v[P];
    VEIL_UNROLL for (unsigned i = 0; i < P; ++i) v[i] = load(base + i * spacing);
    VEIL_UNROLL for (unsigned level = 0; level < S; ++level) {
      const unsigned d = kForward ? P >> (level + 1) : 1u << level;
      const std::uint32_t half_span = spacing * d;
      VEIL_UNROLL for (unsigned i = 0; i < d; ++i) {
        const Complex w = load_constant(stage + half_span - 1 + j + i * spacing);
        VEIL_UNROLL for (unsigned top = i; top < P; top += 2 * d) {
          if (kForward) {
            dif_butterfly(v, top, top + d, w);
          } else {
            dit_butterfly(v, top, top + d, w);
          }
        }
      }
    }
    VEIL_UNROLL for (unsigned i = 0; i < P; ++i) store(base + i * spacing, v[i]);
  }
}

/// Pass `index` of the forward (inverse, without the 1/h scale) transform of `count` h-point
/// arrays: the groups of `lane` of `lanes`.
template <bool kForward, class Load, class Store>
VEIL_HD void fft_pass(std::uint32_t count, std::uint32_t h, unsigned index, const Complex* stage, unsigned lane,
                      unsigned lanes, Load load, Store store) {
  const FftPass pass = kForward ? forward_pass(h, index) : inverse_pass(h, index);
  if (pass.stages == 3) fft_groups<3, kForward>(count, h, pass.span, stage, lane, lanes, load, store);
  if (pass.stages == 2) fft_groups<2, kForward>(count, h, pass.span, stage, lane, lanes, load, store);
  if (pass.stages == 1) fft_groups<1, kForward>(count, h, pass.span, stage, lane, lanes, load, store);
}

/// Accumulator coefficient j of X^(-body) * table (load_table_thread's rule).
VEIL_HD Torus rotated_table_value(const Torus* table, std::uint32_t N, std::uint32_t body, std::uint32_t j) {
  const std::uint32_t source = (j + body) & (2 * N - 1);
  return source < N ? table[source] : Torus{0} - table[source - N];
}

/// A thread's Fourier accumulators across the rows of a CMUX step: component c, its point j at
/// v[c * points + j] (points: fused_points_per_thread).
struct FusedAccumulators {
  Complex v[kFusedAccumulators];
};

/// The whole PBS of ciphertext `b` of the launch, after key switching, by one block, for
/// Components = k+1 (a compile-time count, so that the accumulators stay in registers).
///
/// A CMUX step takes the (k+1)*levels GGSW rows in pairs: the block's two halves transform the
/// pair's two digit polynomials side by side (the first pass computing the digits, twisted, from
/// the rotated accumulator), into digit set pair % 2. While the next pair's first pass runs, every
/// thread multiplies its own points of the pair's transforms by the GGSW rows into its
/// FusedAccumulators (point tid + j*threads, coalesced key reads). After the last pair, the
/// accumulators go to the free digit set, one inverse transform of the k+1 arrays follows, and
/// its last pass untwists, rounds to the torus and adds into the accumulator.
template <unsigned Components, class Block>
VEIL_HD void fused_pbs_block(const FusedPbsArgs& a, std::size_t b, const FusedShared& sh, Block& block) {
  constexpr unsigned points = fused_points_for(Components);
  const PbsShape& s = a.s;
  const std::uint32_t h = s.half();
  const std::uint32_t N = s.N;
  const std::uint32_t rows = s.rows(), pairs = (rows + 1) / 2;
  const unsigned passes = fft_pass_count(h);
  const std::uint32_t* switched = a.switched + b * (std::size_t{s.n} + 1);
  const Torus digit_offset = balanced_digit_offset(s.base_log, s.levels);
  typename Block::template Registers<FusedAccumulators> fourier(block.size());

  block.phase([&](unsigned tid, unsigned threads) {  // ACC = (0, ..., 0, X^(-body) * table)
    const Torus* table = a.tables + std::size_t{a.table_index[b]} * N;
    const std::uint32_t body = switched[s.n];
    for (std::uint32_t j = tid; j < N; j += threads) {
      for (std::uint32_t i = 0; i < s.k; ++i) sh.acc[i * N + j] = 0;
      sh.acc[s.k * N + j] = rotated_table_value(table, N, body, j);
    }
  });

  for (std::uint32_t t = 0; t < s.n; ++t) {
    const std::uint32_t rotation = switched[t];  // the same for every thread: a uniform branch
    if (rotation == 0) continue;                 // X^0 * ACC - ACC = 0: the CMUX is the identity
    const Complex* ggsw = a.ggsws + std::size_t{t} * s.ggsw_complex();

    // fourier (+)= transforms of pair `pair` x GGSW_t rows, at this thread's points.
    const auto multiply_pair = [&](unsigned tid, unsigned threads, std::uint32_t pair) {
      const Complex* set = sh.sets[pair % 2];
      FusedAccumulators& f = fourier(tid);
      for (std::uint32_t r = 2 * pair; r < 2 * pair + 2 && r < rows; ++r) {
        const Complex* digits = set + (r % 2) * fused_padded(h);
        VEIL_UNROLL for (unsigned j = 0; j < points; ++j) {
          const std::uint32_t p = tid + j * threads;
          if (p >= h) break;
          const Complex d = digits[fused_padded(p)];
          VEIL_UNROLL for (unsigned c = 0; c < Components; ++c) {
            const Complex g = load_constant(ggsw + (std::size_t{r} * Components + c) * h + p);
            Complex& acc = f.v[c * points + j];
            const double re = d.re * g.re - d.im * g.im;
            const double im = d.re * g.im + d.im * g.re;
            acc = r == 0 ? Complex{re, im} : Complex{acc.re + re, acc.im + im};
          }
        }
      }
    };

    for (std::uint32_t pair = 0; pair < pairs; ++pair) {
      Complex* set = sh.sets[pair % 2];
      for (unsigned pass = 0; pass < passes; ++pass) {
        block.phase([&](unsigned tid, unsigned threads) {
          if (pass == 0 && pair > 0) multiply_pair(tid, threads, pair - 1);
          const unsigned lanes = threads / 2, half = tid < lanes ? 0 : 1;
          const std::uint32_t r = 2 * pair + half;
          if (tid >= 2 * lanes || r >= rows) return;
          const std::uint32_t component = r / s.levels, level = r % s.levels;
          const Torus* poly = sh.acc + component * N;
          Complex* digits = set + half * fused_padded(h);
          const auto input = [&](std::uint32_t q) {  // level `level` digits of X^rotation*ACC_i - ACC_i, twisted
            const double lo = static_cast<double>(
                digit_at_level(rotated_difference(poly, N, rotation, q), s.base_log, s.levels, level, digit_offset));
            const double hi = static_cast<double>(digit_at_level(rotated_difference(poly, N, rotation, q + h),
                                                                 s.base_log, s.levels, level, digit_offset));
            const Complex w = load_constant(a.twist + q);
            return Complex{lo * w.re - hi * w.im, lo * w.im + hi * w.re};
          };
          const auto load = [&](std::uint32_t i) { return digits[fused_padded(i)]; };
          const auto store = [&](std::uint32_t i, const Complex& v) { digits[fused_padded(i)] = v; };
          const unsigned lane = tid - half * lanes;
          if (pass == 0) {  // the first pass always takes kFusedRadixLog stages (h >= 256)
            fft_groups<kFusedRadixLog, true>(1, h, h / 2, a.stage, lane, lanes, input, store);
          } else {
            fft_pass<true>(1, h, pass, a.stage, lane, lanes, load, store);
          }
        });
      }
    }

    Complex* inverse = sh.sets[pairs % 2];  // free: its last reader was the multiply of pair pairs-2
    block.phase([&](unsigned tid, unsigned threads) {
      multiply_pair(tid, threads, pairs - 1);
      const FusedAccumulators& f = fourier(tid);
      VEIL_UNROLL for (unsigned j = 0; j < points; ++j) {
        const std::uint32_t p = tid + j * threads;
        if (p >= h) break;
        VEIL_UNROLL for (unsigned c = 0; c < Components; ++c) inverse[fused_padded(c * h + p)] = f.v[c * points + j];
      }
    });
    for (unsigned pass = 0; pass < passes; ++pass) {
      block.phase([&](unsigned tid, unsigned threads) {
        const auto load = [&](std::uint32_t i) { return inverse[fused_padded(i)]; };
        const auto store = [&](std::uint32_t i, const Complex& z) {
          if (pass + 1 < passes) {
            inverse[fused_padded(i)] = z;
            return;
          }
          const std::uint32_t c = i / h, q = i % h;  // untwist, round, add (fft_backward_scalar)
          const Complex w = load_constant(a.untwist + q);
          sh.acc[c * N + q] += to_torus(z.re * w.re + z.im * w.im);
          sh.acc[c * N + q + h] += to_torus(z.im * w.re - z.re * w.im);
        };
        fft_pass<false>(Components, h, pass, a.stage, tid, threads, load, store);
      });
    }
  }

  block.phase([&](unsigned tid, unsigned threads) {  // sample extraction (sample_extract_thread)
    Torus* out = a.out + b * s.big_lwe_size();
    for (std::uint32_t m = tid; m < s.k * N + 1; m += threads) {
      const std::uint32_t i = m / N, j = m % N;
      out[m] = j == 0 ? sh.acc[i * N] : Torus{0} - sh.acc[i * N + N - j];
    }
  });
}

}  // namespace veil::fhe::cuda
