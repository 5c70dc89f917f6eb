#pragma once
// GLWE encryption under a binary GLWE key. Mask-times-key products are exact modulo 2^64
// (no FFT error enters keys), so measured noise is the sampled noise.
#include <span>

#include "veil/fhe/csprng.hpp"
#include "veil/fhe/glwe_ciphertext.hpp"
#include "veil/fhe/secret_keys.hpp"

namespace veil::fhe {

/// out = (A, sum_i A_i S_i + plaintext + E), A uniform, E Gaussian of `std_dev` (torus scale).
/// Throws InvalidArgument if the shapes of key, plaintext (N values) and out disagree.
void encrypt_glwe(const GlweSecretKey& key, std::span<const Torus> plaintext, double std_dev, Csprng& rng,
                  GlweCiphertext& out);
/// The same with out's mask A already drawn (uniform: from a seeded stream for compressed keys):
/// sets the body only.
void encrypt_glwe_with_mask(const GlweSecretKey& key, std::span<const Torus> plaintext, double std_dev, Csprng& rng,
                            GlweCiphertext& out);

/// phase = B - sum_i A_i S_i (N values).
void decrypt_glwe_phase(const GlweSecretKey& key, const GlweCiphertext& ct, std::span<Torus> phase);

}  // namespace veil::fhe
