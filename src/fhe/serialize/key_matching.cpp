#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

namespace {

void require_match(const char* what_a, const std::string& set_a, const KeyId& id_a, const char* what_b,
                   const std::string& set_b, const KeyId& id_b) {
  if (set_a == set_b && id_a == id_b) return;
  throw InvalidArgument(std::string("mismatched keys: ") + what_a + " belongs to key " + id_a.hex() +
                        " of parameter set '" + set_a + "', " + what_b + " is key " + id_b.hex() +
                        " of parameter set '" + set_b + "'");
}

}  // namespace

void require_same_key(const CiphertextBatch& batch, const IdentifiedServerKey& key) {
  require_match("ciphertext batch", batch.parameter_set_name, batch.key_id, "server key", key.key.parameter_set_name(),
                key.key_id);
}

void require_same_key(const CiphertextBatch& batch, const ClientKey& client) {
  require_same_key(batch, std::span<const ClientKey>(&client, 1));
}

void require_same_key(const CiphertextBatch& batch, std::span<const ClientKey> partitions) {
  const KeyId id = key_id_of(partitions);  // InvalidArgument when empty
  require_match("ciphertext batch", batch.parameter_set_name, batch.key_id, "client key",
                partitions.front().parameters().name, id);
}

void require_same_key(const SeededLweBatch& batch, const IdentifiedServerKey& key) {
  require_match("seeded LWE batch", batch.parameter_set_name, batch.key_id, "server key", key.key.parameter_set_name(),
                key.key_id);
}

void require_same_key(const IdentifiedServerKey& key, const ClientKey& client) {
  require_same_key(key, std::span<const ClientKey>(&client, 1));
}

void require_same_key(const IdentifiedServerKey& key, std::span<const ClientKey> partitions) {
  const KeyId id = key_id_of(partitions);  // InvalidArgument when empty
  require_match("server key", key.key.parameter_set_name(), key.key_id, "client key",
                partitions.front().parameters().name, id);
  if (key.partition_count() != partitions.size()) {
    throw InvalidArgument("mismatched keys: the server key holds " + std::to_string(key.partition_count()) +
                          " partition(s), the client key " + std::to_string(partitions.size()));
  }
}

}  // namespace veil::fhe
