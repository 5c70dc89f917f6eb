#include "veil/fhe/compressed_server_key.hpp"

#include <string>

#include "fhe/commons/aes_ctr_keystream.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/glwe_ciphertext.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

namespace {
// Key-switching rows expanded per task: enough to amortise a keystream's set-up.
constexpr std::size_t kKeyswitchRowsPerTask = 256;
}  // namespace

std::size_t compressed_bootstrap_key_words(const ParameterSet& p) {
  return p.lwe_dimension.value * (p.glwe_dimension.value + 1) * p.pbs_level.value * p.polynomial_size.value;
}

std::size_t compressed_keyswitch_key_words(const ParameterSet& p) {
  return p.big_lwe_dimension().value * p.ks_level.value;
}

CompressedServerKey::CompressedServerKey(ParameterSet params, MaskSeed bootstrap_seed,
                                         std::vector<Torus> bootstrap_bodies, MaskSeed keyswitch_seed,
                                         std::vector<Torus> keyswitch_bodies)
    : params_(std::move(params)),
      bootstrap_seed_(bootstrap_seed),
      bootstrap_bodies_(std::move(bootstrap_bodies)),
      keyswitch_seed_(keyswitch_seed),
      keyswitch_bodies_(std::move(keyswitch_bodies)) {
  if (bootstrap_bodies_.size() != compressed_bootstrap_key_words(params_) ||
      keyswitch_bodies_.size() != compressed_keyswitch_key_words(params_)) {
    throw InvalidArgument("compressed server key: " + std::to_string(bootstrap_bodies_.size()) + " bootstrapping and " +
                          std::to_string(keyswitch_bodies_.size()) + " key-switching bodies, parameter set '" +
                          params_.name + "' needs " + std::to_string(compressed_bootstrap_key_words(params_)) +
                          " and " + std::to_string(compressed_keyswitch_key_words(params_)));
  }
}

ServerKey CompressedServerKey::decompress(ThreadPool& pool) const {
  const ParameterSet& p = params_;
  const std::size_t k = p.glwe_dimension.value;
  const std::size_t N = p.polynomial_size.value;
  const std::size_t rows_per_ggsw = (k + 1) * p.pbs_level.value;
  FourierBootstrapKey bsk(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level);
  const NegacyclicFft& fft = NegacyclicFft::for_size(p.polynomial_size);
  pool.parallel_for(p.lwe_dimension.value, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    AesCtrKeystream stream(bootstrap_seed_);
    GlweCiphertext row(p.glwe_dimension, p.polynomial_size);
    const std::span<Torus> mask = row.data().first(k * N);
    for (std::size_t t = begin; t < end; ++t) {
      for (std::size_t r = 0; r < rows_per_ggsw; ++r) {
        const std::size_t index = t * rows_per_ggsw + r;
        fill_indexed_mask(stream, index, mask);
        const Torus* body = bootstrap_bodies_.data() + index * N;
        std::copy(body, body + N, row.body().begin());
        double* fourier_row = bsk.ggsw(t).data() + r * (k + 1) * N;
        for (std::size_t c = 0; c <= k; ++c) fft.forward(row.polynomial(c).data(), fourier_row + c * N);
      }
    }
  });
  const std::size_t n = p.lwe_dimension.value;
  const std::size_t levels = p.ks_level.value;
  KeyswitchKey ksk(p.big_lwe_dimension(), p.lwe_dimension, p.ks_base_log, p.ks_level);
  const std::size_t rows = keyswitch_bodies_.size();
  const std::size_t tasks = (rows + kKeyswitchRowsPerTask - 1) / kKeyswitchRowsPerTask;
  pool.parallel_for(tasks, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    AesCtrKeystream stream(keyswitch_seed_);
    for (std::size_t index = begin * kKeyswitchRowsPerTask; index < std::min(rows, end * kKeyswitchRowsPerTask);
         ++index) {
      const std::span<Torus> row = ksk.row(index / levels, index % levels);
      fill_indexed_mask(stream, index, row.first(n));
      row[n] = keyswitch_bodies_[index];
    }
  });
  return ServerKey(p, std::move(bsk), std::move(ksk));
}

std::size_t IdentifiedCompressedServerKey::size_bytes() const {
  std::size_t bytes = 0;
  for (const CompressedServerKey& key : partitions) bytes += key.size_bytes();
  return bytes;
}

IdentifiedServerKey IdentifiedCompressedServerKey::decompress(ThreadPool& pool) const {
  if (partitions.empty()) throw InvalidArgument("compressed server key: no partitions");
  IdentifiedServerKey result;
  result.key_id = key_id;
  result.key = partitions.front().decompress(pool);
  for (std::size_t i = 1; i < partitions.size(); ++i) result.partition_keys.push_back(partitions[i].decompress(pool));
  return result;
}

}  // namespace veil::fhe
