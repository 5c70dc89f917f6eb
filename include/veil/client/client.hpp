#pragma once
// The client side: key generation, input quantization and encryption, decryption and
// de-quantization of the logits. Holds the secret key; the server links this layer for the spec
// only, and a client-only program links this layer and fhe, not the compiler, nn or OpenBLAS.
#include <vector>

#include "veil/client/client_spec.hpp"
#include "veil/common/quantization.hpp"
#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::client {

class Client {
 public:
  /// Checks that there is one key per set of spec.parameter_sets, in order, each sharing
  /// partition 0's GLWE key (InvalidArgument otherwise).
  Client(ClientSpec spec, std::vector<fhe::ClientKey> partition_keys);
  Client(ClientSpec spec, fhe::ClientKey key);

  /// New secret keys for the spec's parameter sets: partition 0's, then a small key per other
  /// partition under its GLWE key (fhe::make_partition_client_key). Toy sets need
  /// AllowInsecure::for_tests.
  static Client generate(ClientSpec spec, fhe::Csprng& rng, fhe::AllowInsecure allow = fhe::AllowInsecure::no);

  /// The evaluation keys to send to the server, one per partition (all threads of pool),
  /// compressed (fhe/compressed_server_key.hpp: about half the bytes; the server decompresses).
  fhe::IdentifiedCompressedServerKey make_compressed_server_key(
      fhe::Csprng& rng, ThreadPool& pool, fhe::AllowInsecure allow = fhe::AllowInsecure::no) const;
  /// The same keys decompressed, for a server in this process.
  fhe::IdentifiedServerKey make_server_key(fhe::Csprng& rng, ThreadPool& pool,
                                           fhe::AllowInsecure allow = fhe::AllowInsecure::no) const;

  /// image: one preprocessed float image of spec.input_shape. Quantizes it exactly as the
  /// circuit's QuantizeInput (veil::quantize_input) and encrypts every element (seeded, under the
  /// big key), bound to the spec (context tag spec_digest(spec)).
  fhe::SeededLweBatch encrypt(const Tensor& image, fhe::Csprng& rng) const;

  /// The output integers (spec.output_shape), checked against the key, the spec's size and the
  /// spec itself: InvalidArgument naming both digests for an output computed for another spec.
  IntTensor decrypt_integers(const fhe::CiphertextBatch& output) const;
  /// The logits as real numbers (output_scale applied), shape spec.output_shape.
  Tensor decrypt(const fhe::CiphertextBatch& output) const;
  /// The same from already decrypted output integers.
  Tensor logits(const IntTensor& integers) const;
  /// Output integers beyond ±spec.output_bound. The decoding holds 2-4x the bound; when the bound
  /// is the calibration's (docs/fhe_compiler.md, "Output noise"), such a logit is unusually large
  /// and one further out would have wrapped: worth a warning.
  std::size_t outputs_beyond_bound(const IntTensor& integers) const;

  const ClientSpec& spec() const { return spec_; }
  /// Partition 0's key: the one inputs are encrypted under.
  const fhe::ClientKey& key() const { return keys_.front(); }
  /// The widest partition's key (nested keys: every other's GLWE key is its prefix): the one
  /// outputs are decrypted under.
  const fhe::ClientKey& widest_key() const;
  /// Every partition's key, partition 0 first (what the client key file holds).
  const std::vector<fhe::ClientKey>& partition_keys() const { return keys_; }
  /// fhe::key_id_of over every partition's key.
  const fhe::KeyId& key_id() const { return key_id_; }
  /// spec_digest(spec()): the context tag of this client's inputs and of the outputs it accepts.
  const fhe::ContextTag& context() const { return context_; }

 private:
  ClientSpec spec_;
  std::vector<fhe::ClientKey> keys_;
  fhe::KeyId key_id_;
  fhe::ContextTag context_;
};

}  // namespace veil::client
