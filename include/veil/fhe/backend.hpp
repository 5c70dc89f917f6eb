#pragma once
// Batch entry points behind one interface, so that other backends (CUDA) can plug in
// without conditional compilation in the core. The CPU backend is the reference.
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/linear_batch.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/resident_array.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  /// What runs the batches, for reports: the device and its memory, or the CPU threads.
  virtual std::string description() const { return std::string(name()); }

  /// outputs[i] = PBS(inputs[i], table) with tables.size() == 1 (shared) or inputs.size()
  /// (one per ciphertext). outputs must already have inputs.size() ciphertexts of dimension k*N.
  /// Throws InvalidArgument on any size mismatch. Results equal one-at-a-time programmable_bootstrap.
  virtual void programmable_bootstrap_batch(const ServerKey& key, const LweCiphertextArray& inputs,
                                            std::span<const LookupTable* const> tables,
                                            LweCiphertextArray& outputs) = 0;

  /// outputs[i] = keyswitch(inputs[i]); outputs sized by the caller.
  virtual void keyswitch_batch(const KeyswitchKey& key, const LweCiphertextArray& inputs,
                               LweCiphertextArray& outputs) = 0;

  /// Every output of `batch` (linear_batch.hpp) into `outputs`, which has one ciphertext per
  /// output, of the sources' dimension. Exact integer arithmetic: every backend's outputs are
  /// the CPU backend's bit for bit. Throws InvalidArgument (check_linear_batch) on a malformed batch.
  virtual void linear_batch(const LinearBatch& batch, LweCiphertextArray& outputs) = 0;

  // Resident arrays (resident_array.hpp): a run's values stay where the backend computes. The
  // defaults keep them in host memory and call the entry points above, so a backend that computes
  // on the host overrides none of these.

  /// `count` zero ciphertexts of `dimension`.
  virtual std::unique_ptr<ResidentArray> make_resident(std::size_t count, LweDimension dimension);
  /// `from` into `to` (moved in by the host default, copied by a device); both have the same
  /// count and dimension (else InvalidArgument).
  virtual void upload(LweCiphertextArray from, ResidentArray& to);
  virtual void download(const ResidentArray& from, LweCiphertextArray& to);
  /// programmable_bootstrap_batch on resident arrays whose dimension may exceed the big key's k*N
  /// (nested keys, docs/parameters.md): the inputs are read under the big key, a prefix of theirs
  /// (the compiler made every mask coefficient beyond it zero), and the outputs are padded with
  /// zero mask coefficients.
  virtual void bootstrap_resident(const ServerKey& key, const ResidentArray& inputs,
                                  std::span<const LookupTable* const> tables, ResidentArray& outputs);
  /// linear_batch on resident arrays; outputs must not be one of the sources.
  virtual void linear_resident(const ResidentLinearBatch& batch, ResidentArray& outputs);
};

/// The CPU backend: all threads of `pool`, per-thread scratch, batched blind rotation over
/// groups of ciphertexts. Keeps a reference to pool.
std::unique_ptr<Backend> make_cpu_backend(ThreadPool& pool);

/// Convenience wrappers over the CPU backend.
void programmable_bootstrap_batch(const ServerKey& key, const LweCiphertextArray& inputs,
                                  std::span<const LookupTable* const> tables, LweCiphertextArray& outputs,
                                  ThreadPool& pool);
void keyswitch_batch(const KeyswitchKey& key, const LweCiphertextArray& inputs, LweCiphertextArray& outputs,
                     ThreadPool& pool);
void linear_batch(const LinearBatch& batch, LweCiphertextArray& outputs, ThreadPool& pool);

}  // namespace veil::fhe
