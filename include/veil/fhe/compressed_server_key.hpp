#pragma once
// The evaluation keys as the client sends them: every mask of the bootstrapping and
// key-switching keys is the AES-CTR keystream of a public 128-bit seed, so only the bodies are
// stored: 1/(k+1) of the bootstrapping key (in the standard domain, not the Fourier one) and
// 1/(n+1) of the key-switching key. The server regenerates the masks and moves the GGSW rows to
// the Fourier domain (decompress). Security: a mask is uniform given the seed (AES as a PRF), as
// for a fresh encryption; the seed is public, the noise and the key are not (the argument of
// seeded LWE batches, seeded_lwe.hpp; TFHE-rs's compressed server keys do the same).
//
// Masks are drawn by position, not in sequence: bootstrapping row (t, i, j) (ggsw t, GLWE
// component i, level j) starts at keystream block ((t*(k+1) + i)*l + j) * k*N/2 of the
// bootstrapping seed, key-switching row (i, j) at block (i*l + j) * ceil(n/2) of the
// key-switching seed (docs/serialization.md), so any row expands alone, on any thread.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// The AES-128 key of a mask stream.
using MaskSeed = std::array<std::uint8_t, 16>;

/// Bodies stored by one set's compressed keys.
std::size_t compressed_bootstrap_key_words(const ParameterSet& params);  // n * (k+1) * l * N
std::size_t compressed_keyswitch_key_words(const ParameterSet& params);  // k*N * l_ks

class CompressedServerKey {
 public:
  CompressedServerKey() = default;
  /// Throws InvalidArgument unless the body counts are those of `params`.
  CompressedServerKey(ParameterSet params, MaskSeed bootstrap_seed, std::vector<Torus> bootstrap_bodies,
                      MaskSeed keyswitch_seed, std::vector<Torus> keyswitch_bodies);

  const ParameterSet& parameters() const { return params_; }
  const MaskSeed& bootstrap_seed() const { return bootstrap_seed_; }
  /// Layout: ggsw t -> GLWE component i -> level j -> N body coefficients.
  std::span<const Torus> bootstrap_bodies() const { return bootstrap_bodies_; }
  const MaskSeed& keyswitch_seed() const { return keyswitch_seed_; }
  /// Layout: input coefficient i -> level j -> one body.
  std::span<const Torus> keyswitch_bodies() const { return keyswitch_bodies_; }
  std::size_t size_bytes() const { return 8 * (bootstrap_bodies_.size() + keyswitch_bodies_.size()); }

  /// The evaluation key: masks regenerated, bootstrapping rows in the Fourier domain. Uses every
  /// thread of `pool`; the result does not depend on the thread count.
  ServerKey decompress(ThreadPool& pool) const;

 private:
  ParameterSet params_;
  MaskSeed bootstrap_seed_{};
  std::vector<Torus> bootstrap_bodies_;
  MaskSeed keyswitch_seed_{};
  std::vector<Torus> keyswitch_bodies_;
};

}  // namespace veil::fhe
