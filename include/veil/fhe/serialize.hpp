#pragma once
// Versioned, validated binary formats for parameter sets, the client's secret key, the
// server's evaluation keys and batches of LWE ciphertexts (byte layout: docs/serialization.md).
//
// Every file is an envelope: magic "VEIL", a 4-letter kind, a format version, the payload
// length, the payload, and a SHA-256 of everything before it. Every payload starts with the
// full parameter set, which the loader checks against the registry (parameter_set_by_name)
// field by field. Loaders validate sizes before allocating and throw FormatError naming what
// was wrong (bad magic, version, kind, unknown set, size mismatch, truncation with its
// offset, checksum); nothing they reject can crash them.
//
// Key identity: a client key's KeyId is a hash of its secret bits (key_id_of). Server-key and
// ciphertext files carry the KeyId of the client key they belong to, so that objects made
// under different keys are refused ("mismatched keys") instead of decrypting to garbage.
//
// Context binding: ciphertext batches also carry a ContextTag, 32 bytes that the application
// binds them to (veil's runtime: the digest of the client spec, so that an input or output of
// one model is refused by another). fhe only stores it; all zeros = bound to nothing.
//
// Thread safety: free functions on distinct streams may run concurrently.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/compressed_server_key.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// The format version this build writes for parameter sets; loaders accept exactly this version.
inline constexpr std::uint16_t kSerializationFormatVersion = 1;
/// The version of ciphertext and seeded batches: 2 adds the context tag. Loaders refuse version 1
/// by its number (ciphertexts are ephemeral: encrypt or run again).
inline constexpr std::uint16_t kCiphertextFormatVersion = 2;
/// The version of client- and server-key files: 2 holds a list of parameter sets, one per
/// partition of a multi-parameter program (the keys of each); loaders still read version 1
/// (one set) as one partition.
inline constexpr std::uint16_t kKeyFormatVersion = 2;
/// Server-key files of version 3 hold the compressed keys (compressed_server_key.hpp: seeds and
/// bodies, about half the bytes), what key generation writes; versions 1 and 2 the expanded ones
/// (Fourier domain), which a process holding only expanded keys still writes (kKeyFormatVersion).
/// load_server_key reads all three.
inline constexpr std::uint16_t kCompressedServerKeyFormatVersion = 3;
/// Most partitions a key file may list (a hostile count is refused before any allocation).
inline constexpr std::size_t kMaxKeyPartitions = 64;

/// 128 bits naming one client key (and so the evaluation keys and ciphertexts made with it).
struct KeyId {
  std::array<std::uint8_t, 16> bytes{};
  friend bool operator==(const KeyId&, const KeyId&) = default;
  /// 32 lowercase hex digits, for messages and file names.
  std::string hex() const;
};

/// SHA-256 over a domain tag, the parameter-set name and the client's secret bits, truncated
/// to 128 bits. Deterministic, so it needs no storage in ClientKey; it reveals nothing useful
/// about the key (the bits have >= 450 bits of entropy and SHA-256 is one-way).
KeyId key_id_of(const ClientKey& client);
/// The id of a multi-parameter client's keys (partition 0 first, every one sharing its GLWE
/// key): key_id_of(partitions[0]) for one partition, else SHA-256 under its own domain tag over
/// every set name, every small key and the shared GLWE key once. InvalidArgument when empty.
KeyId key_id_of(std::span<const ClientKey> partitions);

/// 256 bits naming what a batch of ciphertexts belongs to, opaque to fhe.
struct ContextTag {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const ContextTag&, const ContextTag&) = default;
  /// 64 lowercase hex digits.
  std::string hex() const;
  /// The first 16 of them, for messages.
  std::string short_hex() const;
};

/// The SHA-256 of `document`: the tag of whatever document an application binds ciphertexts to.
ContextTag context_tag_of(std::string_view document);

/// Evaluation keys together with the id of the client key(s) that made them.
struct IdentifiedServerKey {
  KeyId key_id;
  ServerKey key;  // partition 0's: the set ciphertexts are encrypted on
  /// Partitions 1.. of a multi-parameter program, each its own set's key-switching key (big ->
  /// its small key) and bootstrapping key under the shared GLWE key; empty for one set.
  std::vector<ServerKey> partition_keys;

  std::size_t partition_count() const { return 1 + partition_keys.size(); }
  const ServerKey& partition(std::size_t i) const { return i == 0 ? key : partition_keys.at(i - 1); }
};

/// The same keys compressed, as key generation writes them (kCompressedServerKeyFormatVersion).
struct IdentifiedCompressedServerKey {
  KeyId key_id;
  std::vector<CompressedServerKey> partitions;  // partition 0 first

  std::size_t size_bytes() const;
  /// Every partition decompressed on `pool`'s threads.
  IdentifiedServerKey decompress(ThreadPool& pool) const;
};

/// `size()` LWE ciphertexts of one parameter set, all under one key of one client.
struct CiphertextBatch {
  std::string parameter_set_name;
  KeyId key_id;
  LweKeyKind key_kind = LweKeyKind::big;  // small: dimension n; big: dimension k*N
  LweCiphertextArray ciphertexts;
  ContextTag context;  // what the application bound them to
};

/// Limits that protect loaders from hostile or corrupt files.
struct LoadLimits {
  /// Largest payload a loader accepts, in bytes (default 64 GiB: above any vetted server key).
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 36;
  /// Key loaders pass every partition's set through require_secure: a key file naming a toy set
  /// (or one off the security curve) is refused with SecurityError, as key generation refuses it.
  /// Only tests of the toy sets pass AllowInsecure::for_tests.
  AllowInsecure allow = AllowInsecure::no;
};

// --- exact payload sizes, as the savers write them. A caller that knows what it expects (a
// --- client spec names the parameter set and the shapes) passes LoadLimits{size} rather than
// --- the generic default, so that a file (or a pipe) declaring more is refused before any read.

std::uint64_t client_key_payload_bytes(const ParameterSet& params);
std::uint64_t server_key_payload_bytes(const ParameterSet& params);
/// The same for the keys of every partition (partition 0 first).
std::uint64_t client_key_payload_bytes(std::span<const ParameterSet> partitions);
std::uint64_t server_key_payload_bytes(std::span<const ParameterSet> partitions);
/// The compressed form's (version 3), always smaller than the expanded form's.
std::uint64_t compressed_server_key_payload_bytes(std::span<const ParameterSet> partitions);
std::uint64_t ciphertext_batch_payload_bytes(const ParameterSet& params, LweKeyKind kind, std::uint64_t count);

// --- streams. Savers throw IoError when the stream fails and InvalidArgument when the
// --- object is inconsistent (e.g. key sizes that disagree with its parameter set).
// --- Loaders throw FormatError (and IoError on a stream error); they read exactly one object.

void save_parameter_set(const ParameterSet& params, std::ostream& out);
/// Returns the registry's set (the stored fields must equal it).
ParameterSet load_parameter_set(std::istream& in, const LoadLimits& limits = {});

/// The secret key. Keep such files private: they decrypt everything made under the key.
void save_client_key(const ClientKey& client, std::ostream& out);
/// One partition only (FormatError naming the count for a multi-parameter file).
ClientKey load_client_key(std::istream& in, const LoadLimits& limits = {});
/// The keys of every partition of a multi-parameter program, partition 0 first; InvalidArgument
/// unless they all share partition 0's GLWE key (fhe::make_partition_client_key).
void save_client_keys(std::span<const ClientKey> partitions, std::ostream& out);
/// Every partition's key (one for a single-set file).
std::vector<ClientKey> load_client_keys(std::istream& in, const LoadLimits& limits = {});

/// `key_id` is key_id_of(client) for the client key that made `key`.
void save_server_key(const ServerKey& key, const KeyId& key_id, std::ostream& out);
/// Every partition's keys with their id.
void save_server_key(const IdentifiedServerKey& key, std::ostream& out);
/// The compressed keys (version 3).
void save_server_key(const IdentifiedCompressedServerKey& key, std::ostream& out);
/// Any version; a compressed file is decompressed on every hardware thread.
IdentifiedServerKey load_server_key(std::istream& in, const LoadLimits& limits = {});
/// Version 3 only, kept compressed (to pass on, e.g. to other MPI ranks); FormatError for an
/// expanded file.
IdentifiedCompressedServerKey load_compressed_server_key(std::istream& in, const LoadLimits& limits = {});

void save_ciphertext_batch(const CiphertextBatch& batch, std::ostream& out);
CiphertextBatch load_ciphertext_batch(std::istream& in, const LoadLimits& limits = {});
/// Loads and requires the batch to belong to `expected_key` (same key id and parameter set).
CiphertextBatch load_ciphertext_batch(std::istream& in, const IdentifiedServerKey& expected_key,
                                      const LoadLimits& limits = {});

// --- key matching at use. Throw InvalidArgument ("mismatched keys: ...") naming both ids or sets.

void require_same_key(const CiphertextBatch& batch, const IdentifiedServerKey& key);
void require_same_key(const CiphertextBatch& batch, const ClientKey& client);
void require_same_key(const IdentifiedServerKey& key, const ClientKey& client);
/// The same against a multi-parameter client's keys (partition 0 first; key_id_of(partitions)).
void require_same_key(const CiphertextBatch& batch, std::span<const ClientKey> partitions);
void require_same_key(const IdentifiedServerKey& key, std::span<const ClientKey> partitions);

// --- files. Savers write `path`.tmp-<random>, sync it and rename it over `path`, so a crash never
// --- leaves a half-written file under the final name; client (secret) key files are owner-only
// --- (0600) from their creation. Loaders also refuse trailing bytes.

void save_parameter_set_file(const ParameterSet& params, const std::filesystem::path& path);
ParameterSet load_parameter_set_file(const std::filesystem::path& path, const LoadLimits& limits = {});
void save_client_key_file(const ClientKey& client, const std::filesystem::path& path);
ClientKey load_client_key_file(const std::filesystem::path& path, const LoadLimits& limits = {});
void save_client_keys_file(std::span<const ClientKey> partitions, const std::filesystem::path& path);
std::vector<ClientKey> load_client_keys_file(const std::filesystem::path& path, const LoadLimits& limits = {});
void save_server_key_file(const ServerKey& key, const KeyId& key_id, const std::filesystem::path& path);
void save_server_key_file(const IdentifiedServerKey& key, const std::filesystem::path& path);
void save_server_key_file(const IdentifiedCompressedServerKey& key, const std::filesystem::path& path);
IdentifiedServerKey load_server_key_file(const std::filesystem::path& path, const LoadLimits& limits = {});
void save_ciphertext_batch_file(const CiphertextBatch& batch, const std::filesystem::path& path);
CiphertextBatch load_ciphertext_batch_file(const std::filesystem::path& path, const LoadLimits& limits = {});

/// Whether `path` is a regular file that opens like a veil client key (magic and kind; the rest is
/// not read); false when it is anything else, missing or unreadable. Lets programs refuse to
/// write over a secret key, which would lose everything encrypted under it.
bool holds_client_key(const std::filesystem::path& path);

}  // namespace veil::fhe
