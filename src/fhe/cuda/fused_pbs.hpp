#pragma once
// The fused blind rotation: one thread block (CTA) per ciphertext runs the whole PBS after key
// switching (table load, n CMUX steps, sample extraction) with its GLWE accumulator in shared
// memory, and its own negacyclic FFT in shared memory (no cuFFT, one launch per chunk).
// docs/cuda_backend.md, "Fused blind rotation", has the design and the memory budget.
//
// The block body is written once for two callers. It is a sequence of phases separated by
// barriers; a phase is a function of (thread index, thread count) over shared memory. The
// kernel (kernels.cu) runs each phase for threadIdx.x and then __syncthreads(); the host block
// emulator (HostBlock in block.hpp, used by the tests) runs each phase for every thread index in turn,
// shared memory being host arrays. Nothing a thread computes survives a phase except through
// shared or global memory, and values kept across phases (the rotation of a step) are read
// identically by every thread, so the two executions compute the same thing.
//
// The FFT is the CPU's scalar transform (cpu/fft_scalar.cpp), stage for stage and with its
// twiddle tables: decimation in frequency forward (natural in, bit-reversed out), decimation in
// time inverse (bit-reversed in, natural out). The bootstrapping key is uploaded in that
// bit-reversed order, which is the CPU key's own (fourier_layout.hpp: to_fused_order), so no
// permutation pass is needed anywhere.
#include "fhe/cuda/block.hpp"
#include "fhe/cuda/device_steps.hpp"

namespace veil::fhe::cuda {

/// Shapes the fused kernel takes (others run the cuFFT path): N in [kFusedMinN, kFusedMaxN],
/// (k+1)*levels <= kFusedMaxRows, and fused_shared_bytes within the device's per-block limit.
constexpr std::uint32_t kFusedMinN = 512;
constexpr std::uint32_t kFusedMaxN = 4096;
constexpr std::uint32_t kFusedMaxRows = 8;
/// Most threads per fused block (the kernel's launch bound).
constexpr unsigned kFusedMaxThreads = 512;

/// Threads of a fused block: N/8 within [128, 512], one per radix-4 group of a forward FFT
/// phase (there are N/8; k+1 times as many in an inverse phase). At ~114 registers per thread (sm_90)
/// this keeps the blocks that shared memory allows on one SM within its 64K registers: one at
/// N = 4096, two at N = 2048.
VEIL_HD unsigned fused_block_threads(const PbsShape& s) {
  const unsigned threads = s.N / 8;
  return threads < 128 ? 128 : threads > kFusedMaxThreads ? kFusedMaxThreads : threads;
}

/// Dynamic shared memory of one fused block: the accumulator ((k+1)*N torus values), one digit
/// polynomial and the k+1 Fourier accumulators (N/2 complex values each).
VEIL_HD std::size_t fused_shared_bytes(const PbsShape& s) {
  return s.glwe_size() * sizeof(Torus) + std::size_t{s.k + 2} * s.half() * sizeof(Complex);
}

inline bool fused_shape_supported(const PbsShape& s, std::size_t max_shared_bytes) {
  return s.N >= kFusedMinN && s.N <= kFusedMaxN && s.rows() <= kFusedMaxRows &&
         fused_shared_bytes(s) <= max_shared_bytes;
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
  Torus* acc;        // (k+1) x N
  Complex* digits;   // N/2: the forward FFT's points between its phases
  Complex* fourier;  // (k+1) x N/2
};

VEIL_HD FusedShared carve_fused_shared(unsigned char* base, const PbsShape& s) {
  FusedShared sh;
  sh.fourier = reinterpret_cast<Complex*>(base);  // first: 16-byte alignment
  sh.digits = sh.fourier + std::size_t{s.k + 1} * s.half();
  sh.acc = reinterpret_cast<Torus*>(sh.digits + s.half());
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
VEIL_HD void dif_butterfly(Complex* x, std::uint32_t p, std::uint32_t q, Complex w) {
  const Complex a = x[p], b = x[q];
  const double dr = a.re - b.re, di = a.im - b.im;
  x[p] = Complex{a.re + b.re, a.im + b.im};
  x[q] = Complex{dr * w.re - di * w.im, dr * w.im + di * w.re};
}

/// x[p], x[q] = x[p] + x[q]*conj(w), x[p] - x[q]*conj(w): a decimation-in-time butterfly.
VEIL_HD void dit_butterfly(Complex* x, std::uint32_t p, std::uint32_t q, Complex w) {
  const Complex a = x[p], b = x[q];
  const double vr = b.re * w.re + b.im * w.im;
  const double vi = b.im * w.re - b.re * w.im;
  x[q] = Complex{a.re - vr, a.im - vi};
  x[p] = Complex{a.re + vr, a.im + vi};
}

/// Forward DIF FFT of h points (natural order in, bit-reversed out): the stages of
/// fft_forward_scalar (half-span m = h/2 down to 1, twiddle W_m[j] = stage[m-1+j]), two per phase
/// where it can: a thread takes the 4 points p, p + m/2, p + m, p + 3m/2 through stages m and m/2
/// (the same butterflies, so the same result, with half the barriers and shared-memory passes).
/// The first phase reads point i as input(i), the last hands its results to output(i, value);
/// `x` (h values) carries the points between phases. So the caller's digit computation and
/// multiply-accumulate happen inside the first and last stages, without passes of their own.
template <class Block, class Input, class Output>
VEIL_HD void fused_forward_fft(Complex* x, std::uint32_t h, const Complex* stage, Block& block, Input input,
                               Output output) {
  const auto load = [&](bool first, std::uint32_t i) { return first ? input(i) : x[i]; };
  const auto store = [&](bool last, std::uint32_t i, const Complex& v) {
    if (last) {
      output(i, v);
    } else {
      x[i] = v;
    }
  };
  std::uint32_t m = h / 2;
  for (; m >= 2; m /= 4) {
    const bool first = m == h / 2, last = m == 2;
    block.phase([&](unsigned tid, unsigned threads) {
      const std::uint32_t half = m / 2;
      for (std::uint32_t g = tid; g < h / 4; g += threads) {
        const std::uint32_t j = g & (half - 1);
        const std::uint32_t p = ((g - j) << 2) + j;
        Complex v[4] = {load(first, p), load(first, p + half), load(first, p + m), load(first, p + m + half)};
        dif_butterfly(v, 0, 2, load_constant(stage + m - 1 + j));
        dif_butterfly(v, 1, 3, load_constant(stage + m - 1 + j + half));
        const Complex w = load_constant(stage + half - 1 + j);
        dif_butterfly(v, 0, 1, w);
        dif_butterfly(v, 2, 3, w);
        store(last, p, v[0]);
        store(last, p + half, v[1]);
        store(last, p + m, v[2]);
        store(last, p + m + half, v[3]);
      }
    });
  }
  if (m == 1) {  // log2(h) odd: the last stage alone (h >= 4, so not also the first)
    block.phase([&](unsigned tid, unsigned threads) {
      const Complex w = load_constant(stage);
      for (std::uint32_t u = tid; u < h / 2; u += threads) {
        Complex v[2] = {x[2 * u], x[2 * u + 1]};
        dif_butterfly(v, 0, 1, w);
        output(2 * u, v[0]);
        output(2 * u + 1, v[1]);
      }
    });
  }
}

/// Inverse DIT FFT, without the 1/h scale, of `count` consecutive h-point arrays at x
/// (bit-reversed in, natural out): the stages of fft_backward_scalar (m = 1 up to h/2,
/// conjugate twiddles), stages m and 2m in one phase on the 4 points p, p + m, p + 2m, p + 3m.
template <class Block>
VEIL_HD void fused_inverse_fft(Complex* x, std::uint32_t count, std::uint32_t h, const Complex* stage, Block& block) {
  std::uint32_t m = 1;
  for (; 2 * m < h; m *= 4) {
    block.phase([&](unsigned tid, unsigned threads) {
      for (std::uint32_t g = tid; g < count * (h / 4); g += threads) {  // m divides h/4: groups stay in one array
        const std::uint32_t j = g & (m - 1);
        const std::uint32_t p = ((g - j) << 2) + j;
        const Complex w = load_constant(stage + m - 1 + j);
        dit_butterfly(x, p, p + m, w);
        dit_butterfly(x, p + 2 * m, p + 3 * m, w);
        dit_butterfly(x, p, p + 2 * m, load_constant(stage + 2 * m - 1 + j));
        dit_butterfly(x, p + m, p + 3 * m, load_constant(stage + 2 * m - 1 + j + m));
      }
    });
  }
  if (m < h) {  // one stage left, m = h/2
    block.phase([&](unsigned tid, unsigned threads) {
      for (std::uint32_t u = tid; u < count * (h / 2); u += threads) {
        const std::uint32_t j = u & (m - 1);
        const std::uint32_t p = ((u - j) << 1) + j;
        dit_butterfly(x, p, p + m, load_constant(stage + m - 1 + j));
      }
    });
  }
}

/// The digit of level `level` (0: most significant, SignedDecomposer's order) of x.
VEIL_HD std::int64_t digit_at_level(Torus x, std::uint32_t base_log, std::uint32_t levels, std::uint32_t level) {
  Torus state = decomposition_state(x, base_log, levels);
  std::int64_t digit = 0;
  for (std::uint32_t j = levels; j-- > level;) digit = next_digit(state, base_log);
  return digit;
}

/// Accumulator coefficient j of X^(-body) * table (load_table_thread's rule).
VEIL_HD Torus rotated_table_value(const Torus* table, std::uint32_t N, std::uint32_t body, std::uint32_t j) {
  const std::uint32_t source = (j + body) & (2 * N - 1);
  return source < N ? table[source] : Torus{0} - table[source - N];
}

/// The whole PBS of ciphertext `b` of the launch, after key switching, by one block.
template <class Block>
VEIL_HD void fused_pbs_block(const FusedPbsArgs& a, std::size_t b, const FusedShared& sh, Block& block) {
  const PbsShape& s = a.s;
  const std::uint32_t h = s.half();
  const std::uint32_t N = s.N;
  const std::uint32_t* switched = a.switched + b * (std::size_t{s.n} + 1);

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
    for (std::uint32_t r = 0; r < s.rows(); ++r) {
      const std::uint32_t component = r / s.levels, level = r % s.levels;
      const Torus* poly = sh.acc + component * N;
      const Complex* row = ggsw + std::size_t{r} * (s.k + 1) * h;
      fused_forward_fft(
          sh.digits, h, a.stage, block,
          [&](std::uint32_t q) {  // level `level` digits of X^rotation * ACC_i - ACC_i, folded, twisted
            const double lo = static_cast<double>(
                digit_at_level(rotated_difference(poly, N, rotation, q), s.base_log, s.levels, level));
            const double hi = static_cast<double>(
                digit_at_level(rotated_difference(poly, N, rotation, q + h), s.base_log, s.levels, level));
            const Complex w = load_constant(a.twist + q);
            return Complex{lo * w.re - hi * w.im, lo * w.im + hi * w.re};
          },
          [&](std::uint32_t p, const Complex& d) {  // fourier[c][p] (+)= d * GGSW_t[r][c][p]
            for (std::uint32_t c = 0; c <= s.k; ++c) {
              const Complex g = load_constant(row + std::size_t{c} * h + p);
              Complex& f = sh.fourier[c * h + p];
              const double re = d.re * g.re - d.im * g.im;
              const double im = d.re * g.im + d.im * g.re;
              f = r == 0 ? Complex{re, im} : Complex{f.re + re, f.im + im};
            }
          });
    }
    fused_inverse_fft(sh.fourier, s.k + 1, h, a.stage, block);
    block.phase([&](unsigned tid, unsigned threads) {  // untwist, round, add (fft_backward_scalar)
      for (std::uint32_t u = tid; u < (s.k + 1) * h; u += threads) {
        const std::uint32_t c = u / h, q = u % h;
        const Complex z = sh.fourier[u];
        const Complex w = load_constant(a.untwist + q);
        sh.acc[c * N + q] += to_torus(z.re * w.re + z.im * w.im);
        sh.acc[c * N + q + h] += to_torus(z.im * w.re - z.re * w.im);
      }
    });
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
