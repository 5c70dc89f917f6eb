#include "veil/fhe/seeded_lwe.hpp"

#include <string>

#include "fhe/commons/aes_ctr_keystream.hpp"
#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"

namespace veil::fhe {

namespace {

std::span<const Torus> key_bits(const ClientKey& client, LweKeyKind kind) {
  return kind == LweKeyKind::small ? client.small_key().bits() : client.glwe_key().flattened_bits();
}

}  // namespace

SeededLweBatch encrypt_seeded_lwe_batch(const ClientKey& client, LweKeyKind kind, std::span<const Torus> plaintexts,
                                        Csprng& rng) {
  const ParameterSet& p = client.parameters();
  const std::span<const Torus> key = key_bits(client, kind);
  const double std_dev = kind == LweKeyKind::small ? p.lwe_noise.std_dev : p.glwe_noise.std_dev;
  SeededLweBatch batch;
  batch.parameter_set_name = p.name;
  batch.key_id = key_id_of(client);
  batch.key_kind = kind;
  batch.dimension = LweDimension(key.size());
  store_le64(rng.uniform(), batch.seed.data());
  store_le64(rng.uniform(), batch.seed.data() + 8);
  batch.bodies.reserve(plaintexts.size());
  AesCtrKeystream stream(batch.seed);
  LweCiphertext ct(batch.dimension);
  for (std::size_t i = 0; i < plaintexts.size(); ++i) {
    fill_indexed_mask(stream, i, ct.mask());
    encrypt_lwe_with_mask(key, plaintexts[i], std_dev, rng, ct.view());
    batch.bodies.push_back(ct.view()[batch.dimension.value]);
  }
  return batch;
}

void expand_seeded_lwe(const SeededLweBatch& batch, std::size_t first, LweCiphertextArray& out) {
  if (out.dimension() != batch.dimension) {
    throw InvalidArgument("expand_seeded_lwe: output array of LWE dimension " + std::to_string(out.dimension().value) +
                          ", the batch has dimension " + std::to_string(batch.dimension.value));
  }
  if (first > batch.size() || out.size() > batch.size() - first) {
    throw InvalidArgument("expand_seeded_lwe: ciphertexts [" + std::to_string(first) + ", " +
                          std::to_string(first + out.size()) + ") requested from a batch of " +
                          std::to_string(batch.size()));
  }
  const std::size_t n = batch.dimension.value;
  AesCtrKeystream stream(batch.seed);  // one per call: calls share nothing
  for (std::size_t j = 0; j < out.size(); ++j) {
    const LweView ct = out[j];
    fill_indexed_mask(stream, first + j, ct.first(n));
    ct[n] = batch.bodies[first + j];
  }
}

}  // namespace veil::fhe
