#include "veil/fhe/lwe_encryption.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
void check_sizes(std::span<const Torus> key_bits, std::size_t ct_size, const char* who) {
  if (ct_size != key_bits.size() + 1) {
    throw InvalidArgument(std::string(who) + ": ciphertext of " + std::to_string(ct_size) +
                          " values, expected key dimension + 1 = " + std::to_string(key_bits.size() + 1));
  }
}

Torus dot_with_key(std::span<const Torus> key_bits, const Torus* mask) {
  Torus sum = 0;
  for (std::size_t i = 0; i < key_bits.size(); ++i) sum += mask[i] * key_bits[i];
  return sum;
}

std::span<const Torus> key_of(const ClientKey& client, LweKeyKind kind) {
  return kind == LweKeyKind::small ? client.small_key().bits() : client.glwe_key().flattened_bits();
}
}  // namespace

void encrypt_lwe(std::span<const Torus> key_bits, Torus plaintext, double std_dev, Csprng& rng, LweView out) {
  check_sizes(key_bits, out.size(), "encrypt_lwe");
  const std::size_t n = key_bits.size();
  rng.fill_uniform(out.first(n));
  encrypt_lwe_with_mask(key_bits, plaintext, std_dev, rng, out);
}

void encrypt_lwe_with_mask(std::span<const Torus> key_bits, Torus plaintext, double std_dev, Csprng& rng, LweView out) {
  check_sizes(key_bits, out.size(), "encrypt_lwe_with_mask");
  out[key_bits.size()] = dot_with_key(key_bits, out.data()) + plaintext + rng.gaussian(std_dev);
}

Torus decrypt_lwe_phase(std::span<const Torus> key_bits, LweConstView ct) {
  check_sizes(key_bits, ct.size(), "decrypt_lwe_phase");
  return ct[key_bits.size()] - dot_with_key(key_bits, ct.data());
}

void encrypt_lwe(const ClientKey& client, LweKeyKind kind, Torus plaintext, Csprng& rng, LweView out) {
  const ParameterSet& p = client.parameters();
  const double std_dev = kind == LweKeyKind::small ? p.lwe_noise.std_dev : p.glwe_noise.std_dev;
  encrypt_lwe(key_of(client, kind), plaintext, std_dev, rng, out);
}

LweCiphertext make_lwe_encryption(const ClientKey& client, LweKeyKind kind, Torus plaintext, Csprng& rng) {
  LweCiphertext ct(LweDimension(key_of(client, kind).size()));
  encrypt_lwe(client, kind, plaintext, rng, ct.view());
  return ct;
}

Torus decrypt_phase(const ClientKey& client, LweConstView ct) {
  const std::size_t n = ct.size() - 1;
  if (!ct.empty() && n == client.small_key().dimension().value) return decrypt_lwe_phase(client.small_key().bits(), ct);
  if (!ct.empty() && n == client.glwe_key().flattened_bits().size()) {
    return decrypt_lwe_phase(client.glwe_key().flattened_bits(), ct);
  }
  throw InvalidArgument("decrypt_phase: ciphertext of dimension " + std::to_string(ct.size()) +
                        " - 1, expected n = " + std::to_string(client.small_key().dimension().value) +
                        " or k*N = " + std::to_string(client.glwe_key().flattened_bits().size()) + " (parameter set " +
                        client.parameters().name + ")");
}

std::int64_t decrypt_message(const ClientKey& client, LweConstView ct, int precision_bits, Signedness signedness) {
  return decode_message(decrypt_phase(client, ct), precision_bits, signedness);
}

}  // namespace veil::fhe
