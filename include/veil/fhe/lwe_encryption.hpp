#pragma once
// LWE encryption and decryption, under the small key (n) or the big key (k*N, the
// flattened GLWE key), with the noise the parameter set gives that key.
#include <cstdint>
#include <span>

#include "veil/fhe/client_key.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// Which of a client's two LWE keys a ciphertext is under.
enum class LweKeyKind { small, big };

/// out = (a, <a, key> + plaintext + e), a uniform, e ~ N(0, (std_dev * 2^64)^2) rounded.
/// Throws InvalidArgument if out.size() != key_bits.size() + 1.
void encrypt_lwe(std::span<const Torus> key_bits, Torus plaintext, double std_dev, Csprng& rng, LweView out);
/// The same with out's mask a already drawn (uniform: from a seeded stream): sets the body only.
void encrypt_lwe_with_mask(std::span<const Torus> key_bits, Torus plaintext, double std_dev, Csprng& rng, LweView out);

/// The phase b - <a, key> (message plus noise). Throws InvalidArgument on a size mismatch.
Torus decrypt_lwe_phase(std::span<const Torus> key_bits, LweConstView ct);

/// Encrypts `plaintext` under the client's small or big key with that key's noise.
void encrypt_lwe(const ClientKey& client, LweKeyKind kind, Torus plaintext, Csprng& rng, LweView out);
LweCiphertext make_lwe_encryption(const ClientKey& client, LweKeyKind kind, Torus plaintext, Csprng& rng);

/// The phase of a ciphertext under the client's small or big key, chosen by its dimension
/// (raw access for noise measurement). Throws InvalidArgument if it matches neither.
Torus decrypt_phase(const ClientKey& client, LweConstView ct);

/// decode_message(decrypt_phase(ct)).
std::int64_t decrypt_message(const ClientKey& client, LweConstView ct, int precision_bits, Signedness signedness);

}  // namespace veil::fhe
