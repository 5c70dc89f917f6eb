#pragma once
// The hand-written AVX2 + FMA kernels, each in its own *_avx2.cpp (compiled with AVX2 flags);
// kernels_avx2.cpp puts them in the AVX2 table. Call only where the CPU has AVX2 and FMA.
#include "fhe/cpu/cpu_kernels.hpp"

namespace veil::fhe::cpu {

void fft_forward_avx2(const FftTables& t, const std::int64_t* in, double* out);
void fft_forward_digits_avx2(const FftTables& t, const std::uint64_t* in, int base_log, int levels,
                             double* const* outs);
void fft_backward_avx2(const FftTables& t, double* fourier, std::uint64_t* out, bool add);
void keyswitch_accumulate_avx2(const KeyswitchTerms& terms);

/// The transforms' conversions, for the tests (AVX2 has no 64-bit integer <-> double
/// instructions): out[i] = round(in[i]) mod 2^64, and out[i] = the double nearest in[i];
/// n a multiple of 4.
void torus_from_doubles_avx2(const double* in, std::size_t n, std::uint64_t* out);
void doubles_from_int64_avx2(const std::int64_t* in, std::size_t n, double* out);

}  // namespace veil::fhe::cpu
