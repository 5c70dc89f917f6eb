// The CUDA kernels: thin wrappers that give each thread its index and run one step of
// device_steps.hpp, or a block body (fused_pbs.hpp, keyswitch_block.hpp, linear_kernel.hpp) on
// DeviceBlock, so that the arithmetic is the code the host model and the emulator test.
#include "fhe/cuda/kernels.hpp"

namespace veil::fhe::cuda {

namespace {

constexpr unsigned kThreads = 256;  // element-wise steps

unsigned blocks_for(std::size_t threads) { return static_cast<unsigned>((threads + kThreads - 1) / kThreads); }

__device__ std::size_t global_thread() { return std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; }

/// The device side of the block bodies (block.hpp): a phase for this thread, then the barrier.
struct DeviceBlock {
  /// A thread's values kept across phases: its own registers (the index is its threadIdx.x).
  template <class T>
  struct Registers {
    __device__ explicit Registers(unsigned) {}
    __device__ T& operator()(unsigned) { return value; }
    T value;
  };

  __device__ unsigned size() const { return blockDim.x; }
  template <class Phase>
  __device__ void phase(Phase f) const {
    f(threadIdx.x, blockDim.x);
    __syncthreads();
  }
};

// Grid: x = groups of kKeyswitchGroup ciphertexts, y = blocks of kKeyswitchThreads output columns.
template <bool kModulusSwitch>
__global__ void __launch_bounds__(kKeyswitchThreads)
    keyswitch_kernel(KeyswitchShape s, std::uint32_t N, const Torus* key, const Torus* in, std::size_t count,
                     Torus* out, std::uint32_t* switched) {
  __shared__ KeyswitchShared shared;
  DeviceBlock block;
  const std::size_t row = std::size_t{s.n_out} + 1;
  keyswitch_block(s, key, in, count, blockIdx.x, blockIdx.y * blockDim.x, shared, block,
                  [&](std::size_t ciphertext, std::uint32_t column, Torus value) {
                    if constexpr (kModulusSwitch) {
                      switched[ciphertext * row + column] = modulus_switch(value, N);
                    } else {
                      out[ciphertext * row + column] = value;
                    }
                  });
}

__global__ void load_tables_kernel(PbsShape s, const Torus* tables, const std::uint32_t* table_index,
                                   const std::uint32_t* switched, std::size_t threads, Torus* accs) {
  const std::size_t thread = global_thread();
  if (thread < threads) load_table_thread(s, tables, table_index, switched, thread, accs);
}

__global__ void rotate_decompose_kernel(PbsShape s, std::uint32_t t, const std::uint32_t* switched, const Torus* accs,
                                        const Complex* twist, std::size_t threads, Complex* fft) {
  const std::size_t thread = global_thread();
  if (thread < threads) rotate_decompose_thread(s, t, switched, accs, twist, thread, fft);
}

__global__ void fourier_mac_kernel(PbsShape s, std::uint32_t t, const std::uint32_t* switched, const Complex* fft,
                                   const Complex* ggsw, std::size_t threads, Complex* prod) {
  const std::size_t thread = global_thread();
  if (thread < threads) fourier_mac_thread(s, t, switched, fft, ggsw, thread, prod);
}

__global__ void untwist_add_kernel(PbsShape s, std::uint32_t t, const std::uint32_t* switched, const Complex* prod,
                                   const Complex* untwist, std::size_t threads, Torus* accs) {
  const std::size_t thread = global_thread();
  if (thread < threads) untwist_add_thread(s, t, switched, prod, untwist, thread, accs);
}

// One block of fused_block_threads(args.s) per ciphertext; dynamic shared memory of
// fused_shared_bytes(args.s); Components = args.s.k + 1.
template <unsigned Components>
__global__ void __launch_bounds__(kFusedMaxThreads, 1) fused_pbs_kernel(FusedPbsArgs args) {
  extern __shared__ __align__(16) unsigned char shared[];
  DeviceBlock block;
  fused_pbs_block<Components>(args, blockIdx.x, carve_fused_shared(shared, args.s), block);
}

// Grid: x = tiles of up to G outputs of one group, y = slices of the ciphertext.
template <unsigned G>
__global__ void __launch_bounds__(kLinearThreads) linear_kernel(LinearArgs args) {
  __shared__ LinearShared<G> shared;
  DeviceBlock block;
  linear_block<G>(args, blockIdx.x, blockIdx.y, shared, block);
}

__global__ void centered_modulus_switch_kernel(std::uint32_t n, std::uint32_t N, const Torus* small, std::size_t count,
                                               std::uint32_t* switched) {
  const std::size_t thread = global_thread();
  if (thread < count) centered_modulus_switch_thread(n, N, small, thread, switched);
}

__global__ void sample_extract_kernel(PbsShape s, const Torus* accs, std::size_t threads, Torus* out) {
  const std::size_t thread = global_thread();
  if (thread < threads) sample_extract_thread(s, accs, thread, out);
}

cudaError_t launch_keyswitch_kernel(const KeyswitchShape& s, std::uint32_t N, const Torus* key, const Torus* in,
                                    std::size_t count, Torus* out, std::uint32_t* switched, cudaStream_t stream) {
  if (count == 0) return cudaGetLastError();
  const dim3 grid(static_cast<unsigned>((count + kKeyswitchGroup - 1) / kKeyswitchGroup),
                  (s.n_out + 1 + kKeyswitchThreads - 1) / kKeyswitchThreads);
  if (switched != nullptr) {
    keyswitch_kernel<true><<<grid, kKeyswitchThreads, 0, stream>>>(s, N, key, in, count, out, switched);
  } else {
    keyswitch_kernel<false><<<grid, kKeyswitchThreads, 0, stream>>>(s, N, key, in, count, out, switched);
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t fused_max_shared_bytes(std::size_t& bytes) {
  int device = 0, value = 0;
  cudaError_t status = cudaGetDevice(&device);
  if (status == cudaSuccess) status = cudaDeviceGetAttribute(&value, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
  bytes = status == cudaSuccess ? static_cast<std::size_t>(value) : 0;
  return status;
}

cudaError_t launch_fused_pbs(const FusedPbsArgs& args, std::size_t count, cudaStream_t stream) {
  if (count == 0) return cudaGetLastError();
  const std::size_t shared = fused_shared_bytes(args.s);
  cudaError_t status = cudaErrorInvalidValue;  // a k without an instantiation
  with_fused_components(args.s.k, [&](auto components) {
    const auto kernel = fused_pbs_kernel<decltype(components)::value>;
    status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared));
    if (status != cudaSuccess) return;
    kernel<<<static_cast<unsigned>(count), fused_block_threads(args.s), shared, stream>>>(args);
    status = cudaGetLastError();
  });
  return status;
}

cudaError_t launch_linear(const LinearArgs& args, std::size_t tiles, unsigned outputs_per_block, cudaStream_t stream) {
  if (tiles == 0) return cudaGetLastError();
  const dim3 grid(static_cast<unsigned>(tiles), linear_slices(args.size, kLinearThreads));
  if (outputs_per_block == 1) {
    linear_kernel<1><<<grid, kLinearThreads, 0, stream>>>(args);
  } else {
    linear_kernel<kLinearWideOutputs><<<grid, kLinearThreads, 0, stream>>>(args);
  }
  return cudaGetLastError();
}

cudaError_t kernels_loadable() {
  cudaFuncAttributes attributes;
  return cudaFuncGetAttributes(&attributes, sample_extract_kernel);
}

cudaError_t launch_keyswitch(const KeyswitchShape& s, const Torus* key, const Torus* in, std::size_t count, Torus* out,
                             cudaStream_t stream) {
  return launch_keyswitch_kernel(s, 0, key, in, count, out, nullptr, stream);
}

cudaError_t launch_centered_modulus_switch(std::uint32_t n, std::uint32_t N, const Torus* small, std::size_t count,
                                           std::uint32_t* switched, cudaStream_t stream) {
  if (count == 0) return cudaGetLastError();
  centered_modulus_switch_kernel<<<blocks_for(count), kThreads, 0, stream>>>(n, N, small, count, switched);
  return cudaGetLastError();
}

cudaError_t launch_keyswitch_modulus_switch(const KeyswitchShape& s, std::uint32_t N, const Torus* key, const Torus* in,
                                            std::size_t count, std::uint32_t* switched, cudaStream_t stream) {
  return launch_keyswitch_kernel(s, N, key, in, count, nullptr, switched, stream);
}

cudaError_t launch_load_tables(const PbsShape& s, const Torus* tables, const std::uint32_t* table_index,
                               const std::uint32_t* switched, std::size_t count, Torus* accs, cudaStream_t stream) {
  const std::size_t threads = count * s.N;
  if (threads == 0) return cudaGetLastError();
  load_tables_kernel<<<blocks_for(threads), kThreads, 0, stream>>>(s, tables, table_index, switched, threads, accs);
  return cudaGetLastError();
}

cudaError_t launch_rotate_decompose(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched,
                                    const Torus* accs, const Complex* twist, std::size_t count, Complex* fft,
                                    cudaStream_t stream) {
  const std::size_t threads = s.polynomial_threads(count);
  if (threads == 0) return cudaGetLastError();
  rotate_decompose_kernel<<<blocks_for(threads), kThreads, 0, stream>>>(s, t, switched, accs, twist, threads, fft);
  return cudaGetLastError();
}

cudaError_t launch_fourier_mac(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* fft,
                               const Complex* ggsw, std::size_t count, Complex* prod, cudaStream_t stream) {
  const std::size_t threads = s.polynomial_threads(count);
  if (threads == 0) return cudaGetLastError();
  fourier_mac_kernel<<<blocks_for(threads), kThreads, 0, stream>>>(s, t, switched, fft, ggsw, threads, prod);
  return cudaGetLastError();
}

cudaError_t launch_untwist_add(const PbsShape& s, std::uint32_t t, const std::uint32_t* switched, const Complex* prod,
                               const Complex* untwist, std::size_t count, Torus* accs, cudaStream_t stream) {
  const std::size_t threads = s.polynomial_threads(count);
  if (threads == 0) return cudaGetLastError();
  untwist_add_kernel<<<blocks_for(threads), kThreads, 0, stream>>>(s, t, switched, prod, untwist, threads, accs);
  return cudaGetLastError();
}

cudaError_t launch_sample_extract(const PbsShape& s, const Torus* accs, std::size_t count, Torus* out,
                                  cudaStream_t stream) {
  const std::size_t threads = count * s.big_lwe_size();
  if (threads == 0) return cudaGetLastError();
  sample_extract_kernel<<<blocks_for(threads), kThreads, 0, stream>>>(s, accs, threads, out);
  return cudaGetLastError();
}

}  // namespace veil::fhe::cuda
