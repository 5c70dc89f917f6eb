#include "veil/fhe/keygen.hpp"

#include <array>
#include <string>
#include <vector>

#include "fhe/commons/aes_ctr_keystream.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/compressed_server_key.hpp"
#include "veil/fhe/glwe_encryption.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::fhe {

namespace {
// Noise is drawn from one forked generator per fixed block of work, and each mask from the
// keystream at its row's position, so that the keys depend on the caller's generator only and
// not on how threads split the work.
constexpr std::size_t kKeyswitchBlock = 64;

MaskSeed draw_seed(Csprng& rng) {
  MaskSeed seed;
  for (std::size_t half = 0; half < 2; ++half) {
    const Torus word = rng.uniform();
    for (std::size_t b = 0; b < 8; ++b) seed[8 * half + b] = static_cast<std::uint8_t>(word >> (8 * b));
  }
  return seed;
}

std::vector<Torus> keyswitch_bodies(const ClientKey& client, const MaskSeed& seed, Csprng& rng, ThreadPool& pool) {
  const ParameterSet& p = client.parameters();
  const std::span<const Torus> big = client.glwe_key().flattened_bits();
  const std::span<const Torus> small = client.small_key().bits();
  const std::size_t levels = p.ks_level.value;
  std::vector<Torus> bodies(compressed_keyswitch_key_words(p));
  const std::size_t blocks = (big.size() + kKeyswitchBlock - 1) / kKeyswitchBlock;
  std::vector<Csprng> block_rngs;
  block_rngs.reserve(blocks);
  for (std::size_t b = 0; b < blocks; ++b) block_rngs.push_back(rng.fork());
  pool.parallel_for(blocks, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    AesCtrKeystream stream(seed);
    LweCiphertext row(p.lwe_dimension);
    for (std::size_t b = begin; b < end; ++b) {
      for (std::size_t i = b * kKeyswitchBlock; i < std::min(big.size(), (b + 1) * kKeyswitchBlock); ++i) {
        for (std::size_t j = 0; j < levels; ++j) {
          const Torus plaintext = big[i] << (64 - p.ks_base_log.value * (j + 1));
          fill_indexed_mask(stream, i * levels + j, row.mask());
          encrypt_lwe_with_mask(small, plaintext, p.lwe_noise.std_dev, block_rngs[b], row.view());
          bodies[i * levels + j] = row.view()[p.lwe_dimension.value];
        }
      }
    }
  });
  return bodies;
}

std::vector<Torus> bootstrap_bodies(const ClientKey& client, const MaskSeed& seed, Csprng& rng, ThreadPool& pool) {
  const ParameterSet& p = client.parameters();
  const std::size_t n = p.lwe_dimension.value;
  const std::size_t k = p.glwe_dimension.value;
  const std::size_t N = p.polynomial_size.value;
  const std::size_t levels = p.pbs_level.value;
  std::vector<Torus> bodies(compressed_bootstrap_key_words(p));
  std::vector<Csprng> ggsw_rngs;
  ggsw_rngs.reserve(n);
  for (std::size_t t = 0; t < n; ++t) ggsw_rngs.push_back(rng.fork());
  pool.parallel_for(n, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    AesCtrKeystream stream(seed);
    GlweCiphertext row(p.glwe_dimension, p.polynomial_size);
    const std::span<Torus> mask = row.data().first(k * N);
    std::vector<Torus> plaintext(N);
    for (std::size_t t = begin; t < end; ++t) {
      const Torus bit = client.small_key().bits()[t];
      for (std::size_t i = 0; i <= k; ++i) {
        for (std::size_t j = 0; j < levels; ++j) {
          // Row (i, j) holds bit * g_j on component i. With a uniform mask A', the ciphertext
          // (A' with bit * g_j added to its component i, B) is (A', B - bit * g_j * S_i) for i < k:
          // an encryption of -bit * g_j * S_i under the mask A'; on the body (i = k), of bit * g_j.
          const Torus message = bit << (64 - p.pbs_base_log.value * (j + 1));
          std::fill(plaintext.begin(), plaintext.end(), Torus{0});
          if (i == k) {
            plaintext[0] = message;
          } else {
            const std::span<const Torus> s_i = client.glwe_key().polynomial(i);
            for (std::size_t c = 0; c < N; ++c) plaintext[c] = Torus{0} - message * s_i[c];
          }
          const std::size_t index = (t * (k + 1) + i) * levels + j;
          fill_indexed_mask(stream, index, mask);
          encrypt_glwe_with_mask(client.glwe_key(), plaintext, p.glwe_noise.std_dev, ggsw_rngs[t], row);
          std::copy(row.body().begin(), row.body().end(), bodies.begin() + static_cast<std::ptrdiff_t>(index * N));
        }
      }
    }
  });
  return bodies;
}
}  // namespace

ClientKey make_client_key(const ParameterSet& params, Csprng& rng, AllowInsecure allow) {
  require_secure(params, allow);
  SecretBits small(params.lwe_dimension.value);
  SecretBits glwe(params.big_lwe_dimension().value);
  rng.fill_binary(small);
  rng.fill_binary(glwe);
  return ClientKey(params, LweSecretKey(std::move(small)),
                   GlweSecretKey(params.glwe_dimension, params.polynomial_size, std::move(glwe)));
}

ClientKey make_partition_client_key(const ClientKey& shared, const ParameterSet& params, Csprng& rng,
                                    AllowInsecure allow) {
  require_secure(params, allow);
  const ParameterSet& base = shared.parameters();
  const std::array<const ParameterSet*, 2> pair{&base, &params};
  require_nested_glwe_keys(pair, allow);
  const std::size_t dimension = params.big_lwe_dimension().value;
  if (dimension > base.big_lwe_dimension().value) {
    throw InvalidArgument("partition key: set '" + params.name + "' has a GLWE key of k*N = " +
                          std::to_string(dimension) + ", larger than that of '" + base.name +
                          "' whose prefix it would be (" + std::to_string(base.big_lwe_dimension().value) + ")");
  }
  // Nested keys (docs/parameters.md): the partition's GLWE key is the first k*N coefficients of
  // the shared one, so that its PBS outputs, padded with zeros, are ciphertexts under the shared key.
  const std::span<const Torus> bits = shared.glwe_key().flattened_bits().first(dimension);
  SecretBits glwe(bits.begin(), bits.end());
  SecretBits small(params.lwe_dimension.value);
  rng.fill_binary(small);
  return ClientKey(params, LweSecretKey(std::move(small)),
                   GlweSecretKey(params.glwe_dimension, params.polynomial_size, std::move(glwe)));
}

CompressedServerKey make_compressed_server_key(const ClientKey& client, Csprng& rng, ThreadPool& pool,
                                               AllowInsecure allow) {
  require_secure(client.parameters(), allow);
  const MaskSeed keyswitch_seed = draw_seed(rng);
  std::vector<Torus> ksk = keyswitch_bodies(client, keyswitch_seed, rng, pool);
  const MaskSeed bootstrap_seed = draw_seed(rng);
  std::vector<Torus> bsk = bootstrap_bodies(client, bootstrap_seed, rng, pool);
  return CompressedServerKey(client.parameters(), bootstrap_seed, std::move(bsk), keyswitch_seed, std::move(ksk));
}

ServerKey make_server_key(const ClientKey& client, Csprng& rng, ThreadPool& pool, AllowInsecure allow) {
  return make_compressed_server_key(client, rng, pool, allow).decompress(pool);
}

}  // namespace veil::fhe
