#include "veil/fhe/glwe_encryption.hpp"

#include <string>
#include <vector>

#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
void check_shapes(const GlweSecretKey& key, std::size_t plain_size, const GlweCiphertext& ct, const char* who) {
  const std::size_t N = key.polynomial_size().value;
  if (ct.glwe_dimension() != key.glwe_dimension() || ct.polynomial_size() != key.polynomial_size() || plain_size != N) {
    throw InvalidArgument(std::string(who) + ": key (k=" + std::to_string(key.glwe_dimension().value) +
                          ", N=" + std::to_string(N) + "), ciphertext (k=" + std::to_string(ct.glwe_dimension().value) +
                          ", N=" + std::to_string(ct.polynomial_size().value) + "), plaintext of " +
                          std::to_string(plain_size) + " values; expected all to agree");
  }
}
}  // namespace

void encrypt_glwe_with_mask(const GlweSecretKey& key, std::span<const Torus> plaintext, double std_dev, Csprng& rng,
                            GlweCiphertext& out) {
  check_shapes(key, plaintext.size(), out, "encrypt_glwe_with_mask");
  const std::size_t k = key.glwe_dimension().value;
  const PolynomialSize N = key.polynomial_size();
  std::span<Torus> body = out.body();
  std::vector<Torus> product(N.value);
  for (std::size_t j = 0; j < N.value; ++j) body[j] = plaintext[j];
  rng.add_gaussian(body, std_dev);
  for (std::size_t i = 0; i < k; ++i) {
    negacyclic_multiply_binary_exact(out.polynomial(i).data(), key.polynomial(i).data(), product.data(), N);
    for (std::size_t j = 0; j < N.value; ++j) body[j] += product[j];
  }
}

void encrypt_glwe(const GlweSecretKey& key, std::span<const Torus> plaintext, double std_dev, Csprng& rng,
                  GlweCiphertext& out) {
  check_shapes(key, plaintext.size(), out, "encrypt_glwe");
  for (std::size_t i = 0; i < key.glwe_dimension().value; ++i) rng.fill_uniform(out.polynomial(i));
  encrypt_glwe_with_mask(key, plaintext, std_dev, rng, out);
}

void decrypt_glwe_phase(const GlweSecretKey& key, const GlweCiphertext& ct, std::span<Torus> phase) {
  check_shapes(key, phase.size(), ct, "decrypt_glwe_phase");
  const PolynomialSize N = key.polynomial_size();
  std::vector<Torus> product(N.value);
  for (std::size_t j = 0; j < N.value; ++j) phase[j] = ct.body()[j];
  for (std::size_t i = 0; i < key.glwe_dimension().value; ++i) {
    negacyclic_multiply_binary_exact(ct.polynomial(i).data(), key.polynomial(i).data(), product.data(), N);
    for (std::size_t j = 0; j < N.value; ++j) phase[j] -= product[j];
  }
}

}  // namespace veil::fhe
