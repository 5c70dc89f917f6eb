#pragma once
// Launchers of the CUDA kernels (kernels.cu), one per pipeline step of device_steps.hpp. Each
// enqueues its kernel on `stream` and returns cudaGetLastError(); pointers are device memory.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "fhe/cuda/device_steps.hpp"
#include "fhe/cuda/fused_pbs.hpp"
#include "fhe/cuda/keyswitch_block.hpp"
#include "fhe/cuda/linear_kernel.hpp"

namespace veil::fhe::cuda {

/// cudaSuccess when the current device can run these kernels (the build has code for it).
cudaError_t kernels_loadable();

/// out[c] = keyswitch(in[c]) for c < count; in: count x (n_in+1), out: count x (n_out+1).
cudaError_t launch_keyswitch(const KeyswitchShape& s, const Torus* key, const Torus* in, std::size_t count, Torus* out,
                             cudaStream_t stream);

/// switched[c] = modulus_switch(keyswitch(in[c]), N), the first two steps of a PBS.
cudaError_t launch_keyswitch_modulus_switch(const KeyswitchShape& s, std::uint32_t N, const Torus* key, const Torus* in,
                                            std::size_t count, std::uint32_t* switched, cudaStream_t stream);

/// switched[c] = the centred modulus switch of small[c] (count x (n+1) values; one thread each).
cudaError_t launch_centered_modulus_switch(std::uint32_t n, std::uint32_t N, const Torus* small, std::size_t count,
                                           std::uint32_t* switched, cudaStream_t stream);

/// Accumulators of count ciphertexts from their tables (load_table_thread).
cudaError_t launch_load_tables(const PbsShape& s, const Torus* tables, const std::uint32_t* table_index,
                               const std::uint32_t* switched, std::size_t count, Torus* accs, cudaStream_t stream);

/// CMUX t's steps around the FFTs (rotate_decompose_thread, fourier_mac_thread, untwist_add_thread).
cudaError_t launch_rotate_decompose(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched,
                                    const Torus* accs, const Complex* twist, std::size_t count, Complex* fft,
                                    cudaStream_t stream);
cudaError_t launch_fourier_mac(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* fft,
                               const Complex* ggsw, std::size_t count, Complex* prod, cudaStream_t stream);
cudaError_t launch_untwist_add(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* prod,
                               const Complex* untwist, std::size_t count, Torus* accs, cudaStream_t stream);

/// out: count x (k*N+1), sample 0 of each accumulator.
cudaError_t launch_sample_extract(const PbsShape& s, const Torus* accs, std::size_t count, Torus* out,
                                  cudaStream_t stream);

/// The dynamic shared memory one block of the current device may opt in to.
cudaError_t fused_max_shared_bytes(std::size_t& bytes);

/// The fused PBS (fused_pbs.hpp) of `count` key-switched ciphertexts, one block each; args.s
/// must satisfy fused_shape_supported.
cudaError_t launch_fused_pbs(const FusedPbsArgs& args, std::size_t count, cudaStream_t stream);

/// The linear batch of `args` (linear_kernel.hpp): `tiles` blocks of outputs_per_block (1 or
/// kLinearWideOutputs) outputs, each over every slice of the ciphertext.
cudaError_t launch_linear(const LinearArgs& args, std::size_t tiles, unsigned outputs_per_block, cudaStream_t stream);

}  // namespace veil::fhe::cuda
