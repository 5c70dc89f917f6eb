#include <cmath>
#include <istream>
#include <ostream>
#include <span>
#include <vector>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

using namespace serialize;

namespace {

// Bootstrapping key: n, k, N, base log, level, word count, then the Fourier-domain doubles.
// Key-switching key: input and output dimensions, base log, level, word count, then Torus values.
constexpr std::uint64_t kBootstrapHeaderBytes = 6 * 8;
constexpr std::uint64_t kKeyswitchHeaderBytes = 5 * 8;

std::size_t bootstrap_key_words(const ParameterSet& p) {
  const std::size_t k1 = p.glwe_dimension.value + 1;
  return p.lwe_dimension.value * k1 * p.pbs_level.value * k1 * p.polynomial_size.value;
}

std::size_t keyswitch_key_words(const ParameterSet& p) {
  return p.big_lwe_dimension().value * p.ks_level.value * (p.lwe_dimension.value + 1);
}

void require_key_matches(const ServerKey& key, const ParameterSet& p) {
  const FourierBootstrapKey& bsk = key.bootstrap_key();
  const KeyswitchKey& ksk = key.keyswitch_key();
  const bool bsk_ok = bsk.input_lwe_dimension() == p.lwe_dimension && bsk.glwe_dimension() == p.glwe_dimension &&
                      bsk.polynomial_size() == p.polynomial_size && bsk.base_log() == p.pbs_base_log &&
                      bsk.level_count() == p.pbs_level && bsk.data().size() == bootstrap_key_words(p);
  const bool ksk_ok = ksk.input_lwe_dimension() == p.big_lwe_dimension() &&
                      ksk.output_lwe_dimension() == p.lwe_dimension && ksk.base_log() == p.ks_base_log &&
                      ksk.level_count() == p.ks_level && ksk.data().size() == keyswitch_key_words(p);
  if (!bsk_ok || !ksk_ok) {
    throw InvalidArgument(std::string("server key: its ") + (bsk_ok ? "key-switching" : "bootstrapping") +
                          " key's dimensions disagree with its parameter set '" + p.name + "'");
  }
}

FourierBootstrapKey read_bootstrap_key(ByteReader& reader, const ParameterSet& p) {
  read_expected_u64(reader, p, "bootstrapping key n", p.lwe_dimension.value);
  read_expected_u64(reader, p, "bootstrapping key k", p.glwe_dimension.value);
  read_expected_u64(reader, p, "bootstrapping key N", p.polynomial_size.value);
  read_expected_u64(reader, p, "bootstrapping key base log", p.pbs_base_log.value);
  read_expected_u64(reader, p, "bootstrapping key level count", p.pbs_level.value);
  read_expected_u64(reader, p, "bootstrapping key word count", bootstrap_key_words(p));
  require_words_fit(reader, bootstrap_key_words(p), "bootstrapping key");
  FourierBootstrapKey bsk(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level);
  reader.f64_array(bsk.data(), "bootstrapping key");
  for (std::size_t i = 0; i < bsk.data().size(); ++i) {
    if (!std::isfinite(bsk.data()[i])) reader.fail("bootstrapping key value " + std::to_string(i) + " is not finite");
  }
  return bsk;
}

KeyswitchKey read_keyswitch_key(ByteReader& reader, const ParameterSet& p) {
  read_expected_u64(reader, p, "key-switching key input dimension", p.big_lwe_dimension().value);
  read_expected_u64(reader, p, "key-switching key output dimension", p.lwe_dimension.value);
  read_expected_u64(reader, p, "key-switching key base log", p.ks_base_log.value);
  read_expected_u64(reader, p, "key-switching key level count", p.ks_level.value);
  read_expected_u64(reader, p, "key-switching key word count", keyswitch_key_words(p));
  require_words_fit(reader, keyswitch_key_words(p), "key-switching key");
  KeyswitchKey ksk(p.big_lwe_dimension(), p.lwe_dimension, p.ks_base_log, p.ks_level);
  reader.u64_array(ksk.data(), "key-switching key");
  return ksk;
}

void write_keys(ByteWriter& writer, const ServerKey& key) {
  const FourierBootstrapKey& bsk = key.bootstrap_key();
  const KeyswitchKey& ksk = key.keyswitch_key();
  for (const std::size_t field : {bsk.input_lwe_dimension().value, bsk.glwe_dimension().value,
                                  bsk.polynomial_size().value, bsk.base_log().value, bsk.level_count().value,
                                  bsk.data().size()}) {
    writer.u64(field);
  }
  writer.f64_array(bsk.data());
  for (const std::size_t field : {ksk.input_lwe_dimension().value, ksk.output_lwe_dimension().value,
                                  ksk.base_log().value, ksk.level_count().value, ksk.data().size()}) {
    writer.u64(field);
  }
  writer.u64_array(ksk.data());
}

// Partition 0's key and the others', as one list.
void save_partition_keys(std::span<const ServerKey* const> keys, const KeyId& key_id, std::ostream& out) {
  if (keys.size() > kMaxKeyPartitions) {
    throw InvalidArgument("server key: " + std::to_string(keys.size()) + " partitions, at most " +
                          std::to_string(kMaxKeyPartitions));
  }
  std::vector<ParameterSet> sets;
  for (const ServerKey* key : keys) {
    const ParameterSet& p = require_registered(key->parameters());
    require_key_matches(*key, p);
    sets.push_back(p);
  }
  std::vector<const ParameterSet*> set_list;
  for (const ParameterSet& p : sets) set_list.push_back(&p);
  require_nested_glwe_keys(set_list, AllowInsecure::for_tests);  // toy sets are gated where keys are made
  ByteWriter writer(out);
  write_header(writer, ObjectKind::server_key, server_key_payload_bytes(sets));
  writer.u32(static_cast<std::uint32_t>(sets.size()));
  for (const ParameterSet& p : sets) write_parameter_set_record(writer, p);
  write_key_id(writer, key_id);
  for (const ServerKey* key : keys) write_keys(writer, *key);
  writer.checksum();
}

}  // namespace

std::uint64_t server_key_payload_bytes(std::span<const ParameterSet> partitions) {
  // Version 2: the partition count (u32), every set's record, the key id, then each
  // partition's bootstrapping and key-switching keys.
  std::uint64_t bytes = 4 + kKeyIdBytes;
  for (const ParameterSet& p : partitions) {
    bytes += parameter_set_record_bytes(p) + kBootstrapHeaderBytes + 8 * bootstrap_key_words(p) +
             kKeyswitchHeaderBytes + 8 * keyswitch_key_words(p);
  }
  return bytes;
}

std::uint64_t server_key_payload_bytes(const ParameterSet& p) {
  return server_key_payload_bytes(std::span<const ParameterSet>(&p, 1));
}

void save_server_key(const ServerKey& key, const KeyId& key_id, std::ostream& out) {
  const ServerKey* keys[] = {&key};
  save_partition_keys(keys, key_id, out);
}

void save_server_key(const IdentifiedServerKey& key, std::ostream& out) {
  std::vector<const ServerKey*> keys{&key.key};
  for (const ServerKey& k : key.partition_keys) keys.push_back(&k);
  save_partition_keys(keys, key.key_id, out);
}

IdentifiedServerKey load_server_key(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "server key");
  const std::vector<const ParameterSet*> sets =
      read_partition_sets(reader, read_header(reader, ObjectKind::server_key, limits), limits.allow);
  IdentifiedServerKey result;
  result.key_id = read_key_id(reader);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    FourierBootstrapKey bsk = read_bootstrap_key(reader, *sets[i]);
    KeyswitchKey ksk = read_keyswitch_key(reader, *sets[i]);
    ServerKey key(*sets[i], std::move(bsk), std::move(ksk));
    if (i == 0) {
      result.key = std::move(key);
    } else {
      result.partition_keys.push_back(std::move(key));
    }
  }
  read_trailer(reader);
  return result;
}

}  // namespace veil::fhe
