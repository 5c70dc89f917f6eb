#include "veil/client/client.hpp"

#include <algorithm>

#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::client {

namespace {

// The signed integer of 64 - e bits nearest to phase / 2^e.
std::int64_t decode_at(fhe::Torus phase, int exponent) {
  if (exponent == 0) return static_cast<std::int64_t>(phase);
  const fhe::Torus rounded = phase + (fhe::Torus{1} << (exponent - 1));
  return static_cast<std::int64_t>(rounded) >> exponent;
}

}  // namespace

Client::Client(ClientSpec spec, std::vector<fhe::ClientKey> partition_keys)
    : spec_(std::move(spec)), keys_(std::move(partition_keys)) {
  if (keys_.size() != spec_.parameter_sets.size()) {
    throw InvalidArgument("client: keys for " + std::to_string(keys_.size()) + " parameter set(s), the spec needs " +
                          std::to_string(spec_.parameter_sets.size()));
  }
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].parameters().name != spec_.parameter_sets[i]) {
      throw InvalidArgument("client: partition " + std::to_string(i) + "'s key is for parameter set " +
                            keys_[i].parameters().name + ", the spec needs " + spec_.parameter_sets[i]);
    }
  }
  fhe::require_nested_partition_keys(keys_);
  key_id_ = fhe::key_id_of(keys_);
  context_ = spec_digest(spec_);
}

const fhe::ClientKey& Client::widest_key() const { return fhe::widest_partition_key(keys_); }

Client::Client(ClientSpec spec, fhe::ClientKey key)
    : Client(std::move(spec), std::vector<fhe::ClientKey>{std::move(key)}) {}

Client Client::generate(ClientSpec spec, fhe::Csprng& rng, fhe::AllowInsecure allow) {
  // The widest partition's key first: every other partition's GLWE key is its prefix.
  std::vector<const fhe::ParameterSet*> sets;
  for (const std::string& name : spec.parameter_sets) sets.push_back(&fhe::parameter_set_by_name(name));
  const std::size_t widest = fhe::widest_glwe_key(sets);
  const fhe::ClientKey shared = fhe::make_client_key(*sets[widest], rng, allow);
  std::vector<fhe::ClientKey> keys;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    keys.push_back(i == widest ? shared : fhe::make_partition_client_key(shared, *sets[i], rng, allow));
  }
  return Client(std::move(spec), std::move(keys));
}

fhe::IdentifiedCompressedServerKey Client::make_compressed_server_key(fhe::Csprng& rng, ThreadPool& pool,
                                                                      fhe::AllowInsecure allow) const {
  fhe::IdentifiedCompressedServerKey result{key_id_, {}};
  for (const fhe::ClientKey& key : keys_)
    result.partitions.push_back(fhe::make_compressed_server_key(key, rng, pool, allow));
  return result;
}

fhe::IdentifiedServerKey Client::make_server_key(fhe::Csprng& rng, ThreadPool& pool, fhe::AllowInsecure allow) const {
  return make_compressed_server_key(rng, pool, allow).decompress(pool);
}

fhe::SeededLweBatch Client::encrypt(const Tensor& image, fhe::Csprng& rng) const {
  if (image.shape != spec_.input_shape) {
    throw InvalidArgument("client: image of shape " + to_string(image.shape) + ", the program reads " +
                          to_string(spec_.input_shape));
  }
  IntTensor q;
  quantize_input(spec_.input_quantization, image.data.data(), image.data.size(), q);
  std::vector<fhe::Torus> plaintexts(q.data.size());
  for (std::size_t i = 0; i < q.data.size(); ++i) {
    plaintexts[i] = static_cast<fhe::Torus>(q.data[i]) << spec_.input_exponent;
  }
  fhe::SeededLweBatch batch = fhe::encrypt_seeded_lwe_batch(key(), fhe::LweKeyKind::big, plaintexts, rng);
  batch.key_id = key_id_;  // the id of every partition's keys, as the server key carries
  batch.context = context_;
  return batch;
}

IntTensor Client::decrypt_integers(const fhe::CiphertextBatch& output) const {
  fhe::require_same_key(output, std::span<const fhe::ClientKey>(keys_));
  if (output.context != context_) {
    throw InvalidArgument("client: the output was computed for client spec " + output.context.short_hex() +
                          ", this client's spec is " + context_.short_hex() +
                          " (an output of another model, or the spec of another model)");
  }
  const auto expected = static_cast<std::size_t>(element_count(spec_.output_shape));
  const fhe::ClientKey& widest = widest_key();  // outputs are under the widest partition's key
  const fhe::LweDimension big = widest.parameters().big_lwe_dimension();
  if (output.key_kind != fhe::LweKeyKind::big || output.ciphertexts.dimension() != big ||
      output.ciphertexts.size() != expected) {
    throw InvalidArgument("client: output of " + std::to_string(output.ciphertexts.size()) +
                          " ciphertexts of LWE dimension " + std::to_string(output.ciphertexts.dimension().value) +
                          ", expected " + std::to_string(expected) + " (" + to_string(spec_.output_shape) +
                          ") under the big key (k*N = " + std::to_string(big.value) + ")");
  }
  IntTensor result{spec_.output_shape, std::vector<std::int64_t>(expected)};
  for (std::size_t i = 0; i < expected; ++i) {
    result.data[i] = decode_at(fhe::decrypt_phase(widest, output.ciphertexts[i]), spec_.output_exponent);
  }
  return result;
}

Tensor Client::decrypt(const fhe::CiphertextBatch& output) const { return logits(decrypt_integers(output)); }

Tensor Client::logits(const IntTensor& integers) const {
  Tensor result;
  dequantize_output(spec_.output_shape, spec_.output_scale, integers, result);
  return result;
}

std::size_t Client::outputs_beyond_bound(const IntTensor& integers) const {
  return static_cast<std::size_t>(std::count_if(integers.data.begin(), integers.data.end(), [this](std::int64_t q) {
    return q > spec_.output_bound || q < -spec_.output_bound;
  }));
}

}  // namespace veil::client
