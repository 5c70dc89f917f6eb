// The file variants of every format: atomic saves, whole-file loads.
#include <fstream>
#include <string>

#include "fhe/serialize/envelope.hpp"
#include "veil/common/file_io.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

bool holds_client_key(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  const std::string expected = envelope_start(serialize::kClientKeyKind);
  std::string start(expected.size(), '\0');
  std::ifstream in(path, std::ios::binary);
  return in.read(start.data(), static_cast<std::streamsize>(start.size())) && start == expected;
}

void save_parameter_set_file(const ParameterSet& params, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_parameter_set(params, out); });
}

ParameterSet load_parameter_set_file(const std::filesystem::path& path, const LoadLimits& limits) {
  ParameterSet params;
  read_whole_file(path, "parameter set", [&](std::istream& in) { params = load_parameter_set(in, limits); });
  return params;
}

void save_client_key_file(const ClientKey& client, const std::filesystem::path& path) {
  write_file_atomically(
      path, [&](std::ostream& out) { save_client_key(client, out); }, FileAccess::owner_only);
}

ClientKey load_client_key_file(const std::filesystem::path& path, const LoadLimits& limits) {
  ClientKey client;
  read_whole_file(path, "client key", [&](std::istream& in) { client = load_client_key(in, limits); });
  return client;
}

void save_client_keys_file(std::span<const ClientKey> partitions, const std::filesystem::path& path) {
  write_file_atomically(
      path, [&](std::ostream& out) { save_client_keys(partitions, out); }, FileAccess::owner_only);
}

std::vector<ClientKey> load_client_keys_file(const std::filesystem::path& path, const LoadLimits& limits) {
  std::vector<ClientKey> keys;
  read_whole_file(path, "client key", [&](std::istream& in) { keys = load_client_keys(in, limits); });
  return keys;
}

void save_server_key_file(const IdentifiedServerKey& key, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_server_key(key, out); });
}

void save_server_key_file(const ServerKey& key, const KeyId& key_id, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_server_key(key, key_id, out); });
}

void save_server_key_file(const IdentifiedCompressedServerKey& key, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_server_key(key, out); });
}

IdentifiedServerKey load_server_key_file(const std::filesystem::path& path, const LoadLimits& limits) {
  IdentifiedServerKey key;
  read_whole_file(path, "server key", [&](std::istream& in) { key = load_server_key(in, limits); });
  return key;
}

void save_ciphertext_batch_file(const CiphertextBatch& batch, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_ciphertext_batch(batch, out); });
}

CiphertextBatch load_ciphertext_batch_file(const std::filesystem::path& path, const LoadLimits& limits) {
  CiphertextBatch batch;
  read_whole_file(path, "ciphertext batch", [&](std::istream& in) { batch = load_ciphertext_batch(in, limits); });
  return batch;
}

}  // namespace veil::fhe
