#pragma once
// Seeded (compressed) LWE encryption: the masks of a batch are the AES-CTR keystream of one
// public 128-bit seed, so the client sends the seed and one body per ciphertext (8 bytes
// instead of 8*(k*N+1)), and the server regenerates any ciphertext's mask on demand. A
// ResNet-18 input (150,528 ciphertexts, k*N = 4096) is 1.2 MB instead of 4.9 GB.
// Security: the mask is uniform given the seed (a PRF), as for a fresh encryption; the seed
// is public, the noise and the key are not (TFHE-rs and Concrete do the same).
#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "veil/fhe/client_key.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

struct SeededLweBatch {
  std::string parameter_set_name;
  KeyId key_id;
  LweKeyKind key_kind = LweKeyKind::big;
  LweDimension dimension;               // n or k*N, by key_kind
  std::array<std::uint8_t, 16> seed{};  // AES-128 key of the mask stream
  std::vector<Torus> bodies;            // one per ciphertext
  ContextTag context;                   // what the application bound them to (serialize.hpp)

  std::size_t size() const { return bodies.size(); }
};

/// Encrypts plaintexts[i] under the client's small or big key; the seed comes from `rng`,
/// the noise from `rng` as well (never from the seed).
SeededLweBatch encrypt_seeded_lwe_batch(const ClientKey& client, LweKeyKind kind, std::span<const Torus> plaintexts,
                                        Csprng& rng);

/// Writes ciphertexts [first, first + out.size()) of the batch into `out` (dimension must
/// match). Any range in any order gives the same ciphertexts; thread-safe.
void expand_seeded_lwe(const SeededLweBatch& batch, std::size_t first, LweCiphertextArray& out);

// Versioned envelope like serialize.hpp (kind "SLWE"); loaders validate and throw FormatError.
/// The payload size save_seeded_lwe_batch writes for `count` bodies under `params` (the exact
/// LoadLimits for a loader that knows how many ciphertexts to expect).
std::uint64_t seeded_lwe_batch_payload_bytes(const ParameterSet& params, std::uint64_t count);

void save_seeded_lwe_batch(const SeededLweBatch& batch, std::ostream& out);
SeededLweBatch load_seeded_lwe_batch(std::istream& in, const LoadLimits& limits = {});
void save_seeded_lwe_batch_file(const SeededLweBatch& batch, const std::filesystem::path& path);
SeededLweBatch load_seeded_lwe_batch_file(const std::filesystem::path& path, const LoadLimits& limits = {});

/// InvalidArgument ("mismatched keys: ...") unless the batch belongs to `key`.
void require_same_key(const SeededLweBatch& batch, const IdentifiedServerKey& key);

}  // namespace veil::fhe
