#include <cmath>
#include <optional>
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

// Bootstrapping key: n, k, N, base log, level, word count, then the Fourier-domain doubles
// (expanded) or the mask seed and the standard-domain bodies (compressed).
// Key-switching key: input and output dimensions, base log, level, word count, then Torus values
// (expanded) or the mask seed and the bodies (compressed).
constexpr std::uint64_t kBootstrapHeaderBytes = 6 * 8;
constexpr std::uint64_t kKeyswitchHeaderBytes = 5 * 8;
constexpr std::uint64_t kSeedBytes = 16;

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

void write_bootstrap_header(ByteWriter& writer, const ParameterSet& p, std::uint64_t words) {
  for (const std::size_t field : {p.lwe_dimension.value, p.glwe_dimension.value, p.polynomial_size.value,
                                  p.pbs_base_log.value, p.pbs_level.value}) {
    writer.u64(field);
  }
  writer.u64(words);
}

void read_bootstrap_header(ByteReader& reader, const ParameterSet& p, std::uint64_t words) {
  read_expected_u64(reader, p, "bootstrapping key n", p.lwe_dimension.value);
  read_expected_u64(reader, p, "bootstrapping key k", p.glwe_dimension.value);
  read_expected_u64(reader, p, "bootstrapping key N", p.polynomial_size.value);
  read_expected_u64(reader, p, "bootstrapping key base log", p.pbs_base_log.value);
  read_expected_u64(reader, p, "bootstrapping key level count", p.pbs_level.value);
  read_expected_u64(reader, p, "bootstrapping key word count", words);
  reader.require_fit(words, 8, "bootstrapping key");
}

void write_keyswitch_header(ByteWriter& writer, const ParameterSet& p, std::uint64_t words) {
  for (const std::size_t field :
       {p.big_lwe_dimension().value, p.lwe_dimension.value, p.ks_base_log.value, p.ks_level.value}) {
    writer.u64(field);
  }
  writer.u64(words);
}

void read_keyswitch_header(ByteReader& reader, const ParameterSet& p, std::uint64_t words) {
  read_expected_u64(reader, p, "key-switching key input dimension", p.big_lwe_dimension().value);
  read_expected_u64(reader, p, "key-switching key output dimension", p.lwe_dimension.value);
  read_expected_u64(reader, p, "key-switching key base log", p.ks_base_log.value);
  read_expected_u64(reader, p, "key-switching key level count", p.ks_level.value);
  read_expected_u64(reader, p, "key-switching key word count", words);
  reader.require_fit(words, 8, "key-switching key");
}

FourierBootstrapKey read_bootstrap_key(ByteReader& reader, const ParameterSet& p) {
  read_bootstrap_header(reader, p, bootstrap_key_words(p));
  FourierBootstrapKey bsk(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level);
  reader.f64_array(bsk.data(), "bootstrapping key");
  for (std::size_t i = 0; i < bsk.data().size(); ++i) {
    if (!std::isfinite(bsk.data()[i])) reader.fail("bootstrapping key value " + std::to_string(i) + " is not finite");
  }
  return bsk;
}

KeyswitchKey read_keyswitch_key(ByteReader& reader, const ParameterSet& p) {
  read_keyswitch_header(reader, p, keyswitch_key_words(p));
  KeyswitchKey ksk(p.big_lwe_dimension(), p.lwe_dimension, p.ks_base_log, p.ks_level);
  reader.u64_array(ksk.data(), "key-switching key");
  return ksk;
}

CompressedServerKey read_compressed_keys(ByteReader& reader, const ParameterSet& p) {
  MaskSeed bootstrap_seed, keyswitch_seed;
  read_bootstrap_header(reader, p, compressed_bootstrap_key_words(p));
  reader.bytes(bootstrap_seed, "bootstrapping key seed");
  reader.require_fit(compressed_bootstrap_key_words(p), 8, "bootstrapping key");
  std::vector<Torus> bootstrap_bodies(compressed_bootstrap_key_words(p));
  reader.u64_array(bootstrap_bodies, "bootstrapping key");
  read_keyswitch_header(reader, p, compressed_keyswitch_key_words(p));
  reader.bytes(keyswitch_seed, "key-switching key seed");
  reader.require_fit(compressed_keyswitch_key_words(p), 8, "key-switching key");
  std::vector<Torus> keyswitch_bodies(compressed_keyswitch_key_words(p));
  reader.u64_array(keyswitch_bodies, "key-switching key");
  return CompressedServerKey(p, bootstrap_seed, std::move(bootstrap_bodies), keyswitch_seed,
                             std::move(keyswitch_bodies));
}

void write_compressed_keys(ByteWriter& writer, const CompressedServerKey& key) {
  const ParameterSet& p = key.parameters();
  write_bootstrap_header(writer, p, key.bootstrap_bodies().size());
  writer.bytes(key.bootstrap_seed());
  writer.u64_array(key.bootstrap_bodies());
  write_keyswitch_header(writer, p, key.keyswitch_bodies().size());
  writer.bytes(key.keyswitch_seed());
  writer.u64_array(key.keyswitch_bodies());
}

void write_keys(ByteWriter& writer, const ServerKey& key) {
  const ParameterSet& p = key.parameters();
  write_bootstrap_header(writer, p, key.bootstrap_key().data().size());
  writer.f64_array(key.bootstrap_key().data());
  write_keyswitch_header(writer, p, key.keyswitch_key().data().size());
  writer.u64_array(key.keyswitch_key().data());
}

// The registered sets of `keys` (checked nested), for the saved records.
template <class Key>
std::vector<ParameterSet> registered_sets(std::span<const Key* const> keys) {
  if (keys.size() > kMaxKeyPartitions) {
    throw InvalidArgument("server key: " + std::to_string(keys.size()) + " partitions, at most " +
                          std::to_string(kMaxKeyPartitions));
  }
  std::vector<ParameterSet> sets;
  for (const Key* key : keys) sets.push_back(require_registered(key->parameters()));
  std::vector<const ParameterSet*> set_list;
  for (const ParameterSet& p : sets) set_list.push_back(&p);
  require_nested_glwe_keys(set_list, AllowInsecure::for_tests);  // toy sets are gated where keys are made
  return sets;
}

void write_preamble(ByteWriter& writer, std::span<const ParameterSet> sets, const KeyId& key_id) {
  writer.u32(static_cast<std::uint32_t>(sets.size()));
  for (const ParameterSet& p : sets) write_parameter_set_record(writer, p);
  write_key_id(writer, key_id);
}

// Partition 0's key and the others', as one list, expanded (version 2).
void save_partition_keys(std::span<const ServerKey* const> keys, const KeyId& key_id, std::ostream& out) {
  const std::vector<ParameterSet> sets = registered_sets(keys);
  for (const ServerKey* key : keys) require_key_matches(*key, key->parameters());
  ByteWriter writer(out);
  write_envelope_header(writer, kServerKeyKind, server_key_payload_bytes(sets), kKeyFormatVersion);
  write_preamble(writer, sets, key_id);
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

std::uint64_t compressed_server_key_payload_bytes(std::span<const ParameterSet> partitions) {
  std::uint64_t bytes = 4 + kKeyIdBytes;
  for (const ParameterSet& p : partitions) {
    bytes += parameter_set_record_bytes(p) + kBootstrapHeaderBytes + kSeedBytes +
             8 * compressed_bootstrap_key_words(p) + kKeyswitchHeaderBytes + kSeedBytes +
             8 * compressed_keyswitch_key_words(p);
  }
  return bytes;
}

void save_server_key(const IdentifiedCompressedServerKey& key, std::ostream& out) {
  std::vector<const CompressedServerKey*> keys;
  for (const CompressedServerKey& k : key.partitions) keys.push_back(&k);
  if (keys.empty()) throw InvalidArgument("server key: no partitions to save");
  const std::vector<ParameterSet> sets = registered_sets(std::span<const CompressedServerKey* const>(keys));
  ByteWriter writer(out);
  write_envelope_header(writer, kServerKeyKind, compressed_server_key_payload_bytes(sets));
  write_preamble(writer, sets, key.key_id);
  for (const CompressedServerKey* k : keys) write_compressed_keys(writer, *k);
  writer.checksum();
}

namespace {

// Reads a server-key file of any version; `keep_compressed` decides the form of a version-3 one.
struct LoadedServerKey {
  std::optional<IdentifiedServerKey> expanded;
  std::optional<IdentifiedCompressedServerKey> compressed;
};

LoadedServerKey load_any_server_key(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "server key");
  const std::uint16_t version = read_header(reader, kServerKeyKind, limits);
  const std::vector<const ParameterSet*> sets = read_partition_sets(reader, version, limits.allow);
  const KeyId key_id = read_key_id(reader);
  LoadedServerKey loaded;
  if (version == kCompressedServerKeyFormatVersion) {
    IdentifiedCompressedServerKey key{key_id, {}};
    for (const ParameterSet* p : sets) key.partitions.push_back(read_compressed_keys(reader, *p));
    loaded.compressed = std::move(key);
  } else {
    IdentifiedServerKey key;
    key.key_id = key_id;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      FourierBootstrapKey bsk = read_bootstrap_key(reader, *sets[i]);
      KeyswitchKey ksk = read_keyswitch_key(reader, *sets[i]);
      ServerKey partition(*sets[i], std::move(bsk), std::move(ksk));
      if (i == 0) {
        key.key = std::move(partition);
      } else {
        key.partition_keys.push_back(std::move(partition));
      }
    }
    loaded.expanded = std::move(key);
  }
  read_envelope_trailer(reader);
  return loaded;
}

}  // namespace

IdentifiedServerKey load_server_key(std::istream& in, const LoadLimits& limits) {
  LoadedServerKey loaded = load_any_server_key(in, limits);
  if (loaded.expanded) return std::move(*loaded.expanded);
  ThreadPool pool;
  return loaded.compressed->decompress(pool);
}

IdentifiedCompressedServerKey load_compressed_server_key(std::istream& in, const LoadLimits& limits) {
  LoadedServerKey loaded = load_any_server_key(in, limits);
  if (!loaded.compressed) {
    throw FormatError("server key: the file holds expanded keys (format version " + std::to_string(kKeyFormatVersion) +
                      " or older), not the compressed ones of version " +
                      std::to_string(kCompressedServerKeyFormatVersion) + " that keygen writes");
  }
  return std::move(*loaded.compressed);
}

}  // namespace veil::fhe
