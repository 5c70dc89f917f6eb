#pragma once
// The CPU backend's hot kernels, one table of function pointers per instruction set
// (cpu_features.hpp). Each table lives in translation units compiled for its own ISA
// (kernels_scalar.cpp; *_avx2.cpp and *_avx512.cpp get their flags from the build), so this
// header, which all of them include, holds plain types only: no inline code that two ISAs
// could both emit.
#include <cstddef>
#include <cstdint>

#include "fhe/cpu/cpu_features.hpp"

namespace veil::fhe::cpu {

/// The negacyclic FFT's tables for one N (negacyclic_fft.hpp holds their meaning and storage).
struct FftTables {
  std::size_t half;                       // h = N/2
  const double *twist_re, *twist_im;      // w^j, j < h
  const double *untwist_re, *untwist_im;  // w^j / h, j < h (used conjugated)
  // Stage twiddles exp(-2*pi*i*j/(2m)), j < m, of the stage of half-span m at index m - 1.
  const double *stage_re, *stage_im;
  // exp(-2*pi*i*3j/(2m)), j < m/2, at index m - 1 + j: the third twiddle of a radix-4 pass
  // whose larger half-span is m (the other two are stage m at j and stage m/2 at j).
  const double *stage3_re, *stage3_im;
  // The last three forward stages (half-spans 4, 2, 1) run inside one 8-lane vector:
  // lane l gets W_s[l % s] when l & s, else 1. The AVX2 transform's 4-lane vectors use the
  // first four lanes of the half-span-2 row.
  alignas(64) double lane_re[3][8];
  alignas(64) double lane_im[3][8];
};

/// Decompositions up to this many levels have their digits computed inside the hand-written
/// transforms (fft_forward_digits); deeper ones are decomposed, then transformed.
inline constexpr int kMaxDigitLevels = 8;

/// Rows of the key-switching key per tile in the AVX-512 key switch; `wide` scratch holds one
/// tile's digits of every ciphertext as int64 (the AVX2 key switch: half a tile's magnitudes and
/// sign masks).
inline constexpr std::size_t kKeyswitchTileRows = 16;

/// One group key switch's accumulation: acc[g][c] -= sum_r digits[r * count + g] * key[r * width + c]
/// for r < rows, c < width, g < count (mod 2^64).
struct KeyswitchTerms {
  const std::uint64_t* key;
  std::size_t rows, width;
  const std::int8_t* digits;
  std::size_t count;
  std::uint64_t* const* acc;
  std::int64_t* wide;  // kKeyswitchTileRows * count values of scratch
};

struct CpuKernels {
  CpuIsa isa;
  /// The smallest N the FFT kernels take (smaller N run the scalar table's).
  std::size_t fft_min_size;
  /// in: N int64; out: the N-double Fourier buffer (negacyclic_fft.hpp).
  void (*fft_forward)(const FftTables& t, const std::int64_t* in, double* out);
  /// The transforms of the balanced digits of in, level j into outs[j], for levels <=
  /// kMaxDigitLevels; null where the caller should decompose, then transform.
  void (*fft_forward_digits)(const FftTables& t, const std::uint64_t* in, int base_log, int levels,
                             double* const* outs);
  /// fft_forward_digits of the CMUX's difference X^rotation * acc - acc (rotation < 2N, X^N = -1),
  /// read from acc's N values as the first stage goes; null where the caller should write the
  /// difference, then call fft_forward_digits.
  void (*fft_forward_rotated_digits)(const FftTables& t, const std::uint64_t* acc, std::size_t rotation, int base_log,
                                     int levels, double* const* outs);
  /// fourier (destroyed) -> out[j] (+)= round(coefficient j) mod 2^64.
  void (*fft_backward)(const FftTables& t, double* fourier, std::uint64_t* out, bool add);
  /// For every o < outputs, out_o = sum over r < rows of a_r * b_ro (complex, split layout), with
  /// out_o = out + o * N, a_r = a + r * a_stride, b_ro = b + r * b_stride + o * N; half = N/2, a
  /// multiple of 8. The SIMD tables read each a_r once per pair of outputs (a GGSW row's components).
  void (*fourier_dot)(double* out, const double* a, std::size_t a_stride, const double* b, std::size_t b_stride,
                      std::size_t rows, std::size_t outputs, std::size_t half);
  /// SignedDecomposer::decompose_slice: digits[j * n + c] is level j of in[c].
  void (*decompose)(const std::uint64_t* in, std::size_t n, std::int64_t* digits, int base_log, int levels);
  void (*keyswitch_accumulate)(const KeyswitchTerms& terms);
  /// out[o][d] = sum_t weights[o * terms + t] * inputs[t][d] (mod 2^64), o < outputs, d < size.
  void (*multi_dot)(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights,
                    std::uint64_t* const* out, std::size_t outputs, std::size_t size);
};

/// The table of cpu_isa(), chosen on the first call (which throws if VEIL_CPU is invalid).
const CpuKernels& cpu_kernels();

/// The table of one ISA (tests compare them); InvalidArgument if this CPU lacks it.
const CpuKernels& cpu_kernels_for(CpuIsa isa);

/// The tables themselves, each defined in its ISA's translation unit.
const CpuKernels& scalar_kernels();
const CpuKernels& avx2_kernels();
const CpuKernels& avx512_kernels();

}  // namespace veil::fhe::cpu
