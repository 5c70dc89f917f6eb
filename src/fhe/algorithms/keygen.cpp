#include "veil/fhe/keygen.hpp"

#include <array>
#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/fhe/glwe_encryption.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::fhe {

namespace {
// Key material is drawn from one forked generator per fixed block of work, so that the keys
// depend on the caller's generator only and not on how threads split the work.
constexpr std::size_t kKeyswitchBlock = 64;

KeyswitchKey make_keyswitch_key(const ClientKey& client, Csprng& rng, ThreadPool& pool) {
  const ParameterSet& p = client.parameters();
  const std::span<const Torus> big = client.glwe_key().flattened_bits();
  const std::span<const Torus> small = client.small_key().bits();
  KeyswitchKey key(LweDimension(big.size()), p.lwe_dimension, p.ks_base_log, p.ks_level);
  const std::size_t blocks = (big.size() + kKeyswitchBlock - 1) / kKeyswitchBlock;
  std::vector<Csprng> block_rngs;
  block_rngs.reserve(blocks);
  for (std::size_t b = 0; b < blocks; ++b) block_rngs.push_back(rng.fork());
  pool.parallel_for(blocks, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t b = begin; b < end; ++b) {
      for (std::size_t i = b * kKeyswitchBlock; i < std::min(big.size(), (b + 1) * kKeyswitchBlock); ++i) {
        for (std::size_t j = 0; j < p.ks_level.value; ++j) {
          const Torus plaintext = big[i] << (64 - p.ks_base_log.value * (j + 1));
          encrypt_lwe(small, plaintext, p.lwe_noise.std_dev, block_rngs[b], key.row(i, j));
        }
      }
    }
  });
  return key;
}

FourierBootstrapKey make_bootstrap_key(const ClientKey& client, Csprng& rng, ThreadPool& pool) {
  const ParameterSet& p = client.parameters();
  const std::size_t n = p.lwe_dimension.value;
  const std::size_t k = p.glwe_dimension.value;
  const std::size_t N = p.polynomial_size.value;
  const std::size_t levels = p.pbs_level.value;
  FourierBootstrapKey key(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level);
  std::vector<Csprng> ggsw_rngs;
  ggsw_rngs.reserve(n);
  for (std::size_t t = 0; t < n; ++t) ggsw_rngs.push_back(rng.fork());
  const NegacyclicFft& fft = NegacyclicFft::for_size(p.polynomial_size);
  const std::vector<Torus> zero(N, 0);
  pool.parallel_for(n, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    GlweCiphertext row(p.glwe_dimension, p.polynomial_size);
    for (std::size_t t = begin; t < end; ++t) {
      const Torus bit = client.small_key().bits()[t];
      double* ggsw = key.ggsw(t).data();
      for (std::size_t i = 0; i <= k; ++i) {
        for (std::size_t j = 0; j < levels; ++j) {
          // Row (i, j): an encryption of zero plus bit * 2^(64 - base_log*(j+1)) on component i.
          encrypt_glwe(client.glwe_key(), zero, p.glwe_noise.std_dev, ggsw_rngs[t], row);
          row.polynomial(i)[0] += bit << (64 - p.pbs_base_log.value * (j + 1));
          double* fourier_row = ggsw + (i * levels + j) * (k + 1) * N;
          for (std::size_t c = 0; c <= k; ++c) fft.forward(row.polynomial(c).data(), fourier_row + c * N);
        }
      }
    }
  });
  return key;
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

ServerKey make_server_key(const ClientKey& client, Csprng& rng, ThreadPool& pool, AllowInsecure allow) {
  require_secure(client.parameters(), allow);
  KeyswitchKey ksk = make_keyswitch_key(client, rng, pool);
  FourierBootstrapKey bsk = make_bootstrap_key(client, rng, pool);
  return ServerKey(client.parameters(), std::move(bsk), std::move(ksk));
}

}  // namespace veil::fhe
