// The CUDA backend (docs/cuda_backend.md): keys resident on the device, batches in chunks sized
// to its free memory, and the blind rotation either as one fused kernel per chunk (shapes that
// fit a block's shared memory, fused_pbs.hpp) or per CMUX three kernels around two batched cuFFT
// transforms (the default). VEIL_CUDA_PBS=fused asks for the former.
#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fhe/cpu/backend_checks.hpp"
#include "fhe/cpu/cpu_linear.hpp"
#include "fhe/cuda/ciphertext_copies.hpp"
#include "fhe/cuda/cuda_check.hpp"
#include "fhe/cuda/device_buffer.hpp"
#include "fhe/cuda/device_info.hpp"
#include "fhe/cuda/device_keys.hpp"
#include "fhe/cuda/fft_plans.hpp"
#include "fhe/cuda/kernels.hpp"
#include "fhe/cuda/linear_layout.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"

namespace veil::fhe {

namespace {

using cuda::check;
using cuda::Complex;
using cuda::DeviceBuffer;

// Enough ciphertexts per chunk to fill the GPU (every step runs count*(k+1)*N/2 threads) while
// a chunk's buffers stay far below device memory for every vetted set.
constexpr std::size_t kDefaultMaxChunk = 4096;
// Share of the free device memory a chunk's buffers may take; cuFFT's work areas and the
// allocator's slack come out of the rest.
constexpr double kChunkMemoryShare = 0.5;
// Of each kind. A multi-parameter program runs its partitions' keys in turn, row after row
// (ResNet-18: 9 partitions, 3.7 GiB of keys in all): every one stays resident instead of being
// uploaded again at each switch. Found by address, shape and contents (device_keys.hpp).
constexpr std::size_t kCachedKeys = 16;

/// The blind-rotation path asked for by VEIL_CUDA_PBS: "legacy" (the default: the cuFFT path) or
/// "fused" (the fused kernel where the shape allows it, else the cuFFT path). Legacy is the default
/// because it measured faster on an H200 (2.9k against 2.3k PBS/s on the ResNet-18 set at batch
/// 4,096, docs/benchmarks.md); the fused kernel is correct there and waits for its optimisation.
bool fused_requested() {
  const char* value = std::getenv("VEIL_CUDA_PBS");
  if (value == nullptr || std::string_view(value).empty() || std::string_view(value) == "legacy") return false;
  if (std::string_view(value) == "fused") return true;
  throw InvalidArgument(std::string("VEIL_CUDA_PBS=") + value + ": expected fused or legacy");
}

/// Where VEIL_CUDA_LINEAR puts the linear layers: on the device ("device" or unset, the default)
/// or on the host's cores ("host": the CPU backend's code, a fallback should the device kernel
/// fail its test on a first GPU run; scripts/gpu-run.sh sets it then).
bool linear_on_host_requested() {
  const char* value = std::getenv("VEIL_CUDA_LINEAR");
  if (value == nullptr || std::string_view(value).empty() || std::string_view(value) == "device") return false;
  if (std::string_view(value) == "host") return true;
  throw InvalidArgument(std::string("VEIL_CUDA_LINEAR=") + value + ": expected device or host");
}

/// Where VEIL_CUDA_ROWS keeps resident arrays: in device memory ("device" or unset, the default)
/// or in host memory ("host": every batch copies its inputs in and its outputs out, as before rows
/// stayed on the device; a fallback should the resident path fail on a GPU run).
bool rows_on_host_requested() {
  const char* value = std::getenv("VEIL_CUDA_ROWS");
  if (value == nullptr || std::string_view(value).empty() || std::string_view(value) == "device") return false;
  if (std::string_view(value) == "host") return true;
  throw InvalidArgument(std::string("VEIL_CUDA_ROWS=") + value + ": expected device or host");
}

/// A resident array in device memory: ciphertext i at values + i*(n+1).
class DeviceResidentArray final : public ResidentArray {
 public:
  DeviceResidentArray(std::size_t size, LweDimension dimension)
      : ResidentArray(size, dimension), values(size * (dimension.value + 1)) {}

  DeviceBuffer<Torus> values;
};

/// Where a PBS batch's inputs come from and its outputs go, host or device memory, with
/// `stride` values per ciphertext (more than the key's k*N + 1 under a wider nested key).
struct PbsEnds {
  const Torus* inputs;
  std::size_t in_stride;
  cudaMemcpyKind in_kind;
  Torus* outputs;
  std::size_t out_stride;
  cudaMemcpyKind out_kind;
};

/// The copies and fill of plan_ciphertext_copy, queued on `stream`.
void copy_ciphertexts(std::size_t count, const Torus* src, std::size_t src_stride, Torus* dst, std::size_t dst_stride,
                      cudaMemcpyKind kind, cudaStream_t stream) {
  const cuda::CiphertextCopyPlan plan = cuda::plan_ciphertext_copy(count, src_stride, dst_stride);
  for (std::size_t i = 0; i < plan.copy_count; ++i) {
    const cuda::StridedCopy& c = plan.copies[i];
    if (c.rows == 1) {
      check(cudaMemcpyAsync(dst + c.dst_offset, src + c.src_offset, c.width * sizeof(Torus), kind, stream),
            "cudaMemcpyAsync of ciphertexts");
    } else {
      check(cudaMemcpy2DAsync(dst + c.dst_offset, c.dst_pitch * sizeof(Torus), src + c.src_offset,
                              c.src_pitch * sizeof(Torus), c.width * sizeof(Torus), c.rows, kind, stream),
            "cudaMemcpy2DAsync of ciphertexts between nested keys");
    }
  }
  const cuda::StridedCopy& z = plan.zero;
  if (z.width > 0) {
    check(
        cudaMemset2DAsync(dst + z.dst_offset, z.dst_pitch * sizeof(Torus), 0, z.width * sizeof(Torus), z.rows, stream),
        "cudaMemset2DAsync of the padding of a wider key");
  }
}

/// cudaStream_t owned by one object.
class Stream {
 public:
  Stream() { check(cudaStreamCreate(&stream_), "cudaStreamCreate"); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() { cudaStreamDestroy(stream_); }
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, std::size_t max_chunk)
      : device_(device),
        max_chunk_(max_chunk > 0 ? max_chunk : kDefaultMaxChunk),
        fused_(fused_requested()),
        host_linear_(linear_on_host_requested() ? std::make_unique<ThreadPool>() : nullptr),
        host_rows_(host_linear_ != nullptr || rows_on_host_requested()),
        stream_(select(device)),
        plans_(stream_.get()) {
    check(cuda::fused_max_shared_bytes(max_shared_), "cudaDeviceGetAttribute of the shared memory per block");
  }

  ~CudaBackend() override { cudaSetDevice(device_); }  // members free their device memory after this

  std::string_view name() const override { return "cuda"; }
  std::string description() const override {
    return "cuda, " + cuda::describe_device(device_) +
           (fused_ ? "; blind rotation: fused kernel where the shape allows it" : "; blind rotation: cuFFT path") +
           (host_linear_ ? "; linear layers on the host" : "") + (host_rows_ ? "; rows in host memory" : "");
  }

  void programmable_bootstrap_batch(const ServerKey& key, const LweCiphertextArray& inputs,
                                    std::span<const LookupTable* const> tables, LweCiphertextArray& outputs) override {
    check_pbs_batch(name(), key, inputs, tables, outputs);
    const std::size_t big = inputs.dimension().value + 1;
    run_pbs(key, tables, inputs.size(),
            {inputs.data().data(), big, cudaMemcpyHostToDevice, outputs.data().data(), big, cudaMemcpyDeviceToHost});
  }

  void bootstrap_resident(const ServerKey& key, const ResidentArray& inputs, std::span<const LookupTable* const> tables,
                          ResidentArray& outputs) override {
    const auto* in = dynamic_cast<const DeviceResidentArray*>(&inputs);
    auto* out = dynamic_cast<DeviceResidentArray*>(&outputs);
    if (in == nullptr && out == nullptr) return Backend::bootstrap_resident(key, inputs, tables, outputs);
    if (in == nullptr || out == nullptr)
      throw InvalidArgument("bootstrap_resident (cuda): host and device arrays mixed");
    check_resident_pbs_batch(name(), key, inputs, tables, outputs);
    run_pbs(key, tables, inputs.size(),
            {in->values.data(), inputs.dimension().value + 1, cudaMemcpyDeviceToDevice, out->values.data(),
             outputs.dimension().value + 1, cudaMemcpyDeviceToDevice});
  }

  void keyswitch_batch(const KeyswitchKey& key, const LweCiphertextArray& inputs,
                       LweCiphertextArray& outputs) override {
    check_keyswitch_batch(name(), key, inputs, outputs);
    const std::size_t count = inputs.size();
    if (count == 0) return;
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    const cuda::DeviceKeyswitchKey& ksk = keyswitch_keys_.get(key);
    const std::size_t in_size = std::size_t{ksk.shape.n_in} + 1;
    const std::size_t out_size = std::size_t{ksk.shape.n_out} + 1;
    const std::size_t chunk = chunk_size(count, (in_size + out_size) * sizeof(Torus), 0);
    lwe_.reserve(chunk * in_size);
    small_.reserve(chunk * out_size);
    const cudaStream_t stream = stream_.get();
    for (std::size_t first = 0; first < count; first += chunk) {
      const std::size_t size = std::min(chunk, count - first);
      check(cudaMemcpyAsync(lwe_.data(), inputs.data().data() + first * in_size, size * in_size * sizeof(Torus),
                            cudaMemcpyHostToDevice, stream),
            "cudaMemcpyAsync of the inputs");
      check(cuda::launch_keyswitch(ksk.shape, ksk.rows.data(), lwe_.data(), size, small_.data(), stream),
            "key-switching kernel");
      check(cudaMemcpyAsync(outputs.data().data() + first * out_size, small_.data(), size * out_size * sizeof(Torus),
                            cudaMemcpyDeviceToHost, stream),
            "cudaMemcpyAsync of the outputs");
      check(cudaStreamSynchronize(stream), "key-switching chunk");
    }
  }

  /// The whole batch in one launch: its sources, W, index lists and constants uploaded, the
  /// outputs copied back (docs/cuda_backend.md, "Linear layers").
  void linear_batch(const LinearBatch& batch, LweCiphertextArray& outputs) override {
    const std::size_t inputs = check_linear_batch(name(), batch, outputs);
    if (host_linear_) return cpu::linear_batch(batch, inputs, outputs, *host_linear_);
    if (outputs.size() == 0) return;
    std::vector<LinearSource> sources;
    for (const LweCiphertextArray* source : batch.sources) {
      sources.push_back({source->data().data(), source->data().size(), cudaMemcpyHostToDevice});
    }
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    linear_out_.reserve(outputs.data().size());
    run_linear(batch, sources, inputs, outputs.dimension(), outputs.size(), linear_out_.data());
    check(cudaMemcpyAsync(outputs.data().data(), linear_out_.data(), outputs.data().size() * sizeof(Torus),
                          cudaMemcpyDeviceToHost, stream_.get()),
          "cudaMemcpyAsync of the linear outputs");
    check(cudaStreamSynchronize(stream_.get()), "linear batch");
  }

  /// As linear_batch, the sources gathered on the device and the outputs written in place.
  void linear_resident(const ResidentLinearBatch& batch, ResidentArray& outputs) override {
    auto* out = dynamic_cast<DeviceResidentArray*>(&outputs);
    if (out == nullptr) return Backend::linear_resident(batch, outputs);
    const std::size_t inputs = check_linear_batch(name(), batch, outputs);
    std::vector<LinearSource> sources;
    for (const ResidentArray* source : batch.sources) {
      const auto* device = dynamic_cast<const DeviceResidentArray*>(source);
      if (device == nullptr) throw InvalidArgument("linear_resident (cuda): host and device arrays mixed");
      sources.push_back(
          {device->values.data(), source->size() * (source->dimension().value + 1), cudaMemcpyDeviceToDevice});
    }
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    run_linear(batch, sources, inputs, outputs.dimension(), outputs.size(), out->values.data());
    check(cudaStreamSynchronize(stream_.get()), "linear batch");
  }

  std::unique_ptr<ResidentArray> make_resident(std::size_t count, LweDimension dimension) override {
    if (host_rows_) return Backend::make_resident(count, dimension);
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    auto array = std::make_unique<DeviceResidentArray>(count, dimension);
    if (count > 0) check(cudaMemset(array->values.data(), 0, array->bytes()), "cudaMemset of a resident array");
    return array;
  }

  void upload(LweCiphertextArray from, ResidentArray& to) override {
    auto* device = dynamic_cast<DeviceResidentArray*>(&to);
    if (device == nullptr) return Backend::upload(std::move(from), to);
    check_resident_copy("upload", from, to);
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    check(cudaMemcpy(device->values.data(), from.data().data(), to.bytes(), cudaMemcpyHostToDevice),
          "cudaMemcpy of a resident array to the device");
  }

  void download(const ResidentArray& from, LweCiphertextArray& to) override {
    const auto* device = dynamic_cast<const DeviceResidentArray*>(&from);
    if (device == nullptr) return Backend::download(from, to);
    check_resident_copy("download", to, from);
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    check(cudaMemcpy(to.data().data(), device->values.data(), from.bytes(), cudaMemcpyDeviceToHost),
          "cudaMemcpy of a resident array from the device");
  }

 private:
  /// One source of a linear batch: `values` Torus values in host or device memory.
  struct LinearSource {
    const Torus* data;
    std::size_t values;
    cudaMemcpyKind kind;
  };

  /// Both linear entry points after their checks, under the lock: the sources gathered into
  /// linear_in_, the kernel writing `outputs` (device memory) on the backend's stream.
  void run_linear(const LinearTerms& batch, std::span<const LinearSource> sources, std::size_t inputs,
                  LweDimension dimension, std::size_t output_count, Torus* outputs) {
    if (output_count == 0) return;
    const cuda::PackedLinearBatch packed = cuda::pack_linear_batch(batch);
    if (packed.tiles > INT32_MAX) throw InvalidArgument("linear_batch (cuda): more than 2^31 - 1 blocks of outputs");
    const std::size_t size = dimension.value + 1;
    const cudaStream_t stream = stream_.get();
    linear_in_.reserve(inputs * size);
    std::size_t offset = 0;
    for (const LinearSource& source : sources) {
      check(
          cudaMemcpyAsync(linear_in_.data() + offset, source.data, source.values * sizeof(Torus), source.kind, stream),
          "cudaMemcpyAsync of the linear inputs");
      offset += source.values;
    }
    linear_weights_.assign(batch.weights.data(), batch.weights.size());
    linear_index_.assign(packed.index.data(), packed.index.size());
    linear_constants_.assign(batch.output_constant.data(), batch.output_constant.size());
    const cuda::LinearArgs args =
        cuda::linear_args(packed, batch, static_cast<std::uint32_t>(size), linear_index_.data(), linear_in_.data(),
                          linear_weights_.data(), linear_constants_.data(), outputs);
    check(cuda::launch_linear(args, packed.tiles, packed.outputs_per_block, stream), "linear kernel");
  }

  /// Both PBS entry points after their checks: `count` ciphertexts between `ends`, in chunks.
  void run_pbs(const ServerKey& key, std::span<const LookupTable* const> tables, std::size_t count,
               const PbsEnds& ends) {
    if (count == 0) return;
    std::lock_guard lock(mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    const cuda::DeviceKeyswitchKey& ksk = keyswitch_keys_.get(key.keyswitch_key());
    const bool fused = fused_ && cuda::fused_shape_supported(cuda::pbs_shape_of(key.bootstrap_key()), max_shared_);
    const cuda::DeviceBootstrapKey& bsk = bootstrap_keys_.get(
        key.bootstrap_key(), fused ? cuda::BootstrapKeyLayout::fused : cuda::BootstrapKeyLayout::cufft);
    const cuda::PbsShape& s = bsk.shape;
    if (ksk.shape.n_in != s.k * s.N || ksk.shape.n_out != s.n) {
      throw InvalidArgument("programmable_bootstrap_batch (cuda): the server key's key-switching key (" +
                            std::to_string(ksk.shape.n_in) + " -> " + std::to_string(ksk.shape.n_out) +
                            ") does not fit its bootstrapping key (k*N = " + std::to_string(s.k * s.N) +
                            ", n = " + std::to_string(s.n) + ")");
    }
    upload_tables(tables, count);
    const ModulusSwitchKind switch_kind = key.parameters().modulus_switch_kind;
    if (fused) return fused_bootstrap(ksk, bsk, switch_kind, count, ends);

    const std::size_t big = s.big_lwe_size();
    const std::size_t fft_size = std::size_t{s.rows()} * s.half();
    const std::size_t prod_size = std::size_t{s.k + 1} * s.half();
    // Per ciphertext; the cuFFT work areas are counted as large as the data they transform.
    const std::size_t bytes = big * sizeof(Torus) + switch_bytes(s, switch_kind) + s.glwe_size() * sizeof(Torus) +
                              2 * (fft_size + prod_size) * sizeof(Complex);
    const std::size_t chunk = chunk_size(count, bytes, fft_size);
    lwe_.reserve(chunk * big);
    reserve_switch_buffers(s, switch_kind, chunk);
    accs_.reserve(chunk * s.glwe_size());
    fft_.reserve(chunk * fft_size);
    prod_.reserve(chunk * prod_size);

    const cudaStream_t stream = stream_.get();
    auto* fft = reinterpret_cast<cufftDoubleComplex*>(fft_.data());
    auto* prod = reinterpret_cast<cufftDoubleComplex*>(prod_.data());
    for (std::size_t first = 0; first < count; first += chunk) {
      const std::size_t size = std::min(chunk, count - first);
      const cufftHandle forward = plans_.get(s.half(), size * s.rows());
      const cufftHandle inverse = plans_.get(s.half(), size * (s.k + 1));
      switch_chunk(ksk, s.N, switch_kind, ends, first, size);
      check(cuda::launch_load_tables(s, tables_.data(), table_index_.data() + first, switched_.data(), size,
                                     accs_.data(), stream),
            "table-loading kernel");
      for (std::uint32_t t = 0; t < s.n; ++t) {
        check(cuda::launch_rotate_decompose(s, t, switched_.data(), accs_.data(), bsk.twist.data(), size, fft_.data(),
                                            stream),
              "rotate-decompose kernel");
        check(cufftExecZ2Z(forward, fft, fft, CUFFT_FORWARD), "cufftExecZ2Z forward");
        check(cuda::launch_fourier_mac(s, t, switched_.data(), fft_.data(), bsk.ggsws.data() + t * s.ggsw_complex(),
                                       size, prod_.data(), stream),
              "Fourier multiply-accumulate kernel");
        check(cufftExecZ2Z(inverse, prod, prod, CUFFT_INVERSE), "cufftExecZ2Z inverse");
        check(cuda::launch_untwist_add(s, t, switched_.data(), prod_.data(), bsk.untwist.data(), size, accs_.data(),
                                       stream),
              "untwist-add kernel");
      }
      check(cuda::launch_sample_extract(s, accs_.data(), size, lwe_.data(), stream), "sample-extraction kernel");
      copy_outputs(s, ends, first, size);
      check(cudaStreamSynchronize(stream), "PBS chunk");
    }
  }

  /// Device bytes per ciphertext of the switch's buffers: switched_, and small_ for the centred
  /// switch, which needs the whole key-switched ciphertext before it can set the body.
  static std::size_t switch_bytes(const cuda::PbsShape& s, ModulusSwitchKind kind) {
    const std::size_t values = std::size_t{s.n} + 1;
    return values * sizeof(std::uint32_t) + (kind == ModulusSwitchKind::CenteredMean ? values * sizeof(Torus) : 0);
  }

  void reserve_switch_buffers(const cuda::PbsShape& s, ModulusSwitchKind kind, std::size_t chunk) {
    switched_.reserve(chunk * (std::size_t{s.n} + 1));
    if (kind == ModulusSwitchKind::CenteredMean) small_.reserve(chunk * (std::size_t{s.n} + 1));
  }

  /// Copies ciphertexts [first, first + size) of the inputs to lwe_ (under the key's k*N: a
  /// wider key's extra mask values are left behind) and key-switches and modulus-switches them
  /// into switched_ (both blind-rotation paths): in one kernel for the standard switch, through
  /// small_ for the centred one.
  void switch_chunk(const cuda::DeviceKeyswitchKey& ksk, std::uint32_t N, ModulusSwitchKind kind, const PbsEnds& ends,
                    std::size_t first, std::size_t size) {
    const std::size_t big = std::size_t{ksk.shape.n_in} + 1;
    copy_ciphertexts(size, ends.inputs + first * ends.in_stride, ends.in_stride, lwe_.data(), big, ends.in_kind,
                     stream_.get());
    if (kind == ModulusSwitchKind::CenteredMean) {
      check(cuda::launch_keyswitch(ksk.shape, ksk.rows.data(), lwe_.data(), size, small_.data(), stream_.get()),
            "key-switching kernel");
      check(cuda::launch_centered_modulus_switch(ksk.shape.n_out, N, small_.data(), size, switched_.data(),
                                                 stream_.get()),
            "centred modulus-switch kernel");
      return;
    }
    check(cuda::launch_keyswitch_modulus_switch(ksk.shape, N, ksk.rows.data(), lwe_.data(), size, switched_.data(),
                                                stream_.get()),
          "key-switching kernel");
  }

  /// Copies the chunk's PBS outputs, left in lwe_, to ciphertexts [first, first + size) of the
  /// outputs (padded with zero mask values under a wider key).
  void copy_outputs(const cuda::PbsShape& s, const PbsEnds& ends, std::size_t first, std::size_t size) {
    copy_ciphertexts(size, lwe_.data(), s.big_lwe_size(), ends.outputs + first * ends.out_stride, ends.out_stride,
                     ends.out_kind, stream_.get());
  }

  /// run_pbs after the table upload, by the fused kernel.
  void fused_bootstrap(const cuda::DeviceKeyswitchKey& ksk, const cuda::DeviceBootstrapKey& bsk,
                       ModulusSwitchKind switch_kind, std::size_t count, const PbsEnds& ends) {
    const cuda::PbsShape& s = bsk.shape;
    const std::size_t big = s.big_lwe_size();
    const std::size_t chunk = chunk_size(count, big * sizeof(Torus) + switch_bytes(s, switch_kind), 0);
    lwe_.reserve(chunk * big);
    reserve_switch_buffers(s, switch_kind, chunk);
    const cudaStream_t stream = stream_.get();
    for (std::size_t first = 0; first < count; first += chunk) {
      const std::size_t size = std::min(chunk, count - first);
      switch_chunk(ksk, s.N, switch_kind, ends, first, size);
      const cuda::FusedPbsArgs args{s,
                                    bsk.ggsws.data(),
                                    bsk.twist.data(),
                                    bsk.untwist.data(),
                                    bsk.stage.data(),
                                    tables_.data(),
                                    table_index_.data() + first,
                                    switched_.data(),
                                    lwe_.data()};
      check(cuda::launch_fused_pbs(args, size, stream), "fused PBS kernel");
      copy_outputs(s, ends, first, size);
      check(cudaStreamSynchronize(stream), "fused PBS chunk");
    }
  }

  /// Makes `device` current and checks that it runs the kernels; returns the backend's stream.
  static Stream select(int device) {
    check(cudaSetDevice(device), "cudaSetDevice");
    const cudaError_t loadable = cuda::kernels_loadable();
    if (loadable != cudaSuccess) {
      cudaGetLastError();
      cudaDeviceProp properties{};
      check(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
      throw InvalidArgument("CUDA device " + std::to_string(device) + " (" + properties.name + ", compute capability " +
                            std::to_string(properties.major) + "." + std::to_string(properties.minor) +
                            ") cannot run veil's kernels: " + cudaGetErrorString(loadable) +
                            " (rebuild with -DCMAKE_CUDA_ARCHITECTURES naming it, docs/cuda_backend.md)");
    }
    return Stream();
  }

  /// Ciphertexts per chunk: at most max_chunk_, and within kChunkMemoryShare of the device memory
  /// this backend's buffers could use (free now plus what it already holds). `fft_points`
  /// (complex values per ciphertext in one cuFFT batch) keeps the batch within cuFFT's int sizes.
  std::size_t chunk_size(std::size_t count, std::size_t bytes_per_ciphertext, std::size_t fft_points) const {
    std::size_t free = 0, total = 0;
    check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
    const std::size_t held =
        lwe_.bytes() + small_.bytes() + switched_.bytes() + accs_.bytes() + fft_.bytes() + prod_.bytes();
    const auto budget = static_cast<std::size_t>(kChunkMemoryShare * static_cast<double>(free + held));
    std::size_t chunk = std::min({count, max_chunk_, budget / bytes_per_ciphertext});
    if (fft_points > 0) chunk = std::min<std::size_t>(chunk, INT32_MAX / fft_points);
    if (chunk == 0) {
      throw Error("CUDA backend: one ciphertext needs " + std::to_string(bytes_per_ciphertext) +
                  " bytes of device buffers and " + std::to_string(free) + " bytes are free");
    }
    return chunk;
  }

  /// Each distinct table once, and one table index per ciphertext.
  void upload_tables(std::span<const LookupTable* const> tables, std::size_t count) {
    std::unordered_map<const LookupTable*, std::uint32_t> index_of;
    std::vector<Torus> polynomials;
    std::vector<std::uint32_t> index(count);
    for (std::size_t c = 0; c < count; ++c) {
      const LookupTable* table = tables.size() == 1 ? tables[0] : tables[c];
      const auto [slot, added] = index_of.emplace(table, static_cast<std::uint32_t>(index_of.size()));
      if (added) polynomials.insert(polynomials.end(), table->polynomial().begin(), table->polynomial().end());
      index[c] = slot->second;
    }
    tables_.assign(polynomials.data(), polynomials.size());
    table_index_.assign(index.data(), count);
  }

  std::mutex mutex_;
  int device_;
  std::size_t max_chunk_;
  bool fused_;                               // VEIL_CUDA_PBS: fused kernel where the shape allows it
  std::unique_ptr<ThreadPool> host_linear_;  // VEIL_CUDA_LINEAR=host: the linear layers' threads
  bool host_rows_;                           // VEIL_CUDA_ROWS=host (or linear layers on the host)
  std::size_t max_shared_ = 0;               // dynamic shared memory a block may opt in to
  Stream stream_;
  cuda::FftPlans plans_;
  cuda::DeviceKeyCache<cuda::DeviceKeyswitchKey> keyswitch_keys_{kCachedKeys};
  cuda::DeviceKeyCache<cuda::DeviceBootstrapKey> bootstrap_keys_{kCachedKeys};
  // Work buffers, grown on demand and kept for the next call.
  DeviceBuffer<Torus> lwe_;    // a chunk's inputs, then its outputs
  DeviceBuffer<Torus> small_;  // key-switched outputs of keyswitch_batch and of the centred switch
  DeviceBuffer<std::uint32_t> switched_;
  DeviceBuffer<Torus> accs_;
  DeviceBuffer<Complex> fft_;
  DeviceBuffer<Complex> prod_;
  DeviceBuffer<Torus> tables_;
  DeviceBuffer<std::uint32_t> table_index_;
  DeviceBuffer<Torus> linear_in_;   // linear_batch: its sources, concatenated
  DeviceBuffer<Torus> linear_out_;  // linear_batch's outputs before they go to the host
  DeviceBuffer<std::int64_t> linear_weights_;
  DeviceBuffer<std::uint32_t> linear_index_;
  DeviceBuffer<Torus> linear_constants_;
};

}  // namespace

bool cuda_backend_available() {
  try {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
      cudaGetLastError();
      return false;
    }
    int current = 0;
    if (cudaGetDevice(&current) != cudaSuccess || cudaSetDevice(0) != cudaSuccess) {
      cudaGetLastError();
      return false;
    }
    const bool loadable = cuda::kernels_loadable() == cudaSuccess;
    cudaSetDevice(current);
    cudaGetLastError();
    return loadable;
  } catch (...) {
    return false;
  }
}

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::unique_ptr<Backend> make_cuda_backend(int device, std::size_t max_chunk) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw InvalidArgument(std::string("no CUDA device visible: ") + cudaGetErrorString(status));
  }
  if (count == 0) throw InvalidArgument("no CUDA device visible: cudaGetDeviceCount found none");
  if (device < 0 || device >= count) {
    throw InvalidArgument("CUDA device " + std::to_string(device) + " requested, " + std::to_string(count) +
                          " visible");
  }
  return std::make_unique<CudaBackend>(device, max_chunk);
}

}  // namespace veil::fhe
