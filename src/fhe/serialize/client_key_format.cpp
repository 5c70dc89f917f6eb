#include <istream>
#include <ostream>
#include <vector>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

using namespace serialize;

namespace {

// Secret keys are binary: one byte (0 or 1) per coefficient keeps the format obvious.
void write_bits(ByteWriter& writer, std::span<const Torus> bits, std::string_view which) {
  SecretVector<std::uint8_t> bytes(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] > 1) {
      throw InvalidArgument("client key: " + std::string(which) + " coefficient " + std::to_string(i) + " = " +
                            std::to_string(bits[i]) + ", expected 0 or 1");
    }
    bytes[i] = static_cast<std::uint8_t>(bits[i]);
  }
  writer.u64(bits.size());
  writer.bytes(bytes);
}

SecretBits read_bits(ByteReader& reader, const ParameterSet& params, std::string_view which, std::size_t expected) {
  read_expected_u64(reader, params, std::string(which) + " length", expected);
  SecretVector<std::uint8_t> bytes(expected);  // expected comes from a registered set: bounded
  reader.bytes(bytes, which);
  SecretBits bits(expected);
  for (std::size_t i = 0; i < expected; ++i) {
    if (bytes[i] > 1) {
      reader.fail(std::string(which) + " coefficient " + std::to_string(i) + " = " + std::to_string(bytes[i]) +
                  ", expected 0 or 1");
    }
    bits[i] = bytes[i];
  }
  return bits;
}

}  // namespace

std::uint64_t client_key_payload_bytes(std::span<const ParameterSet> partitions) {
  // Version 2: the partition count (u32), every set's record, the key id, each small key's
  // length (u64) and bits, the GLWE key's length and bits, one byte per bit.
  if (partitions.empty()) throw InvalidArgument("client key: no partitions");
  std::vector<const ParameterSet*> sets;
  for (const ParameterSet& p : partitions) sets.push_back(&p);
  // The widest partition's GLWE key is the one stored: every other is its prefix (nested keys).
  std::uint64_t bytes = 4 + kKeyIdBytes + 8 + sets[widest_glwe_key(sets)]->big_lwe_dimension().value;
  for (const ParameterSet& p : partitions) bytes += parameter_set_record_bytes(p) + 8 + p.lwe_dimension.value;
  return bytes;
}

std::uint64_t client_key_payload_bytes(const ParameterSet& params) {
  return client_key_payload_bytes(std::span<const ParameterSet>(&params, 1));
}

void save_client_keys(std::span<const ClientKey> partitions, std::ostream& out) {
  if (partitions.empty() || partitions.size() > kMaxKeyPartitions) {
    throw InvalidArgument("client key: " + std::to_string(partitions.size()) + " partitions, expected 1.." +
                          std::to_string(kMaxKeyPartitions));
  }
  std::vector<ParameterSet> sets;
  for (const ClientKey& client : partitions) {
    const ParameterSet& params = require_registered(client.parameters());
    const std::size_t n = params.lwe_dimension.value;
    const std::size_t big_n = params.big_lwe_dimension().value;
    const GlweSecretKey& glwe = client.glwe_key();
    if (client.small_key().dimension().value != n || glwe.glwe_dimension() != params.glwe_dimension ||
        glwe.polynomial_size() != params.polynomial_size || glwe.flattened_bits().size() != big_n) {
      throw InvalidArgument("client key: small key of dimension " +
                            std::to_string(client.small_key().dimension().value) + " and GLWE key of " +
                            std::to_string(glwe.flattened_bits().size()) + " coefficients, parameter set '" +
                            params.name + "' requires " + std::to_string(n) + " and " + std::to_string(big_n));
    }
    sets.push_back(params);
  }
  require_nested_partition_keys(partitions);
  ByteWriter writer(out);
  write_envelope_header(writer, kClientKeyKind, client_key_payload_bytes(sets));
  writer.u32(static_cast<std::uint32_t>(sets.size()));
  for (const ParameterSet& params : sets) write_parameter_set_record(writer, params);
  write_key_id(writer, key_id_of(partitions));
  for (const ClientKey& client : partitions) write_bits(writer, client.small_key().bits(), "small key");
  write_bits(writer, widest_partition_key(partitions).glwe_key().flattened_bits(), "GLWE key");
  writer.checksum();
}

void save_client_key(const ClientKey& client, std::ostream& out) {
  save_client_keys(std::span<const ClientKey>(&client, 1), out);
}

std::vector<ClientKey> load_client_keys(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "client key");
  const std::vector<const ParameterSet*> sets =
      read_partition_sets(reader, read_header(reader, kClientKeyKind, limits), limits.allow);
  const KeyId stored_id = read_key_id(reader);
  std::vector<SecretBits> small;
  for (const ParameterSet* params : sets) {
    small.push_back(read_bits(reader, *params, "small key", params->lwe_dimension.value));
  }
  const ParameterSet& shared = *sets[widest_glwe_key(sets)];
  const SecretBits big = read_bits(reader, shared, "GLWE key", shared.big_lwe_dimension().value);
  read_envelope_trailer(reader);
  std::vector<ClientKey> keys;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const ParameterSet& p = *sets[i];
    SecretBits prefix(big.begin(), big.begin() + static_cast<std::ptrdiff_t>(p.big_lwe_dimension().value));
    keys.emplace_back(p, LweSecretKey(std::move(small[i])),
                      GlweSecretKey(p.glwe_dimension, p.polynomial_size, std::move(prefix)));
  }
  if (const KeyId id = key_id_of(keys); id != stored_id) {
    throw FormatError("client key: stored key id " + stored_id.hex() + " does not match the key material (" + id.hex() +
                      ")");
  }
  return keys;
}

ClientKey load_client_key(std::istream& in, const LoadLimits& limits) {
  std::vector<ClientKey> keys = load_client_keys(in, limits);
  if (keys.size() != 1) {
    throw FormatError("client key: the file holds the keys of " + std::to_string(keys.size()) +
                      " partitions (a multi-parameter program), expected one");
  }
  return std::move(keys[0]);
}

}  // namespace veil::fhe
