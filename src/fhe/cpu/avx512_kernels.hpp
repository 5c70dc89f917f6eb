#pragma once
// The hand-written AVX-512 kernels, each in its own *_avx512.cpp (compiled with AVX-512 flags);
// kernels_avx512.cpp puts them in the AVX-512 table. Include only from *_avx512.cpp files.
#include "fhe/cpu/cpu_kernels.hpp"

namespace veil::fhe::cpu {

void fft_forward_avx512(const FftTables& t, const std::int64_t* in, double* out);
void fft_forward_digits_avx512(const FftTables& t, const std::uint64_t* in, int base_log, int levels,
                               double* const* outs);
void fft_forward_rotated_digits_avx512(const FftTables& t, const std::uint64_t* acc, std::size_t rotation, int base_log,
                                       int levels, double* const* outs);
void fft_backward_avx512(const FftTables& t, double* fourier, std::uint64_t* out, bool add);
void keyswitch_accumulate_avx512(const KeyswitchTerms& terms);
void multi_dot_avx512(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights,
                      std::uint64_t* const* out, std::size_t outputs, std::size_t size);

}  // namespace veil::fhe::cpu
