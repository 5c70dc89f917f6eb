// Writes one valid file of each kind on the smallest toy set into <dir>/<kind>/, the seed
// corpora of the loader fuzzers. The keys are synthetic (fixed bit patterns, zero key
// material): the fuzzers exercise parsing, not cryptography, and need no key generation.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/serialize.hpp"

using namespace veil::fhe;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    for (const char* kind : {"parameter_set", "client_key", "server_key", "ciphertext_batch"}) {
      std::filesystem::create_directories(dir / kind);
    }
    const ParameterSet& p = insecure_toy_parameter_set(1);
    std::vector<Torus> small(p.lwe_dimension.value), big(p.big_lwe_dimension().value);
    for (std::size_t i = 0; i < small.size(); ++i) small[i] = (i * 7 + 3) % 5 < 2;
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = (i * 11 + 1) % 3 == 0;
    const ClientKey client(p, LweSecretKey(small), GlweSecretKey(p.glwe_dimension, p.polynomial_size, big));
    const KeyId id = key_id_of(client);
    save_parameter_set_file(p, dir / "parameter_set" / "toy_p1.veil");
    save_client_key_file(client, dir / "client_key" / "toy_p1.veil");
    const ServerKey server(p, FourierBootstrapKey(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level),
                           KeyswitchKey(p.big_lwe_dimension(), p.lwe_dimension, p.ks_base_log, p.ks_level));
    save_server_key_file(server, id, dir / "server_key" / "toy_p1.veil");
    CiphertextBatch batch{p.name, id, LweKeyKind::small, LweCiphertextArray(2, p.lwe_dimension), ContextTag{}};
    for (std::size_t i = 0; i < batch.ciphertexts.data().size(); ++i) batch.ciphertexts.data()[i] = i * 0x9e3779b97f4a7c15ull;
    save_ciphertext_batch_file(batch, dir / "ciphertext_batch" / "toy_p1_small.veil");
    batch.ciphertexts = LweCiphertextArray(0, p.lwe_dimension);
    save_ciphertext_batch_file(batch, dir / "ciphertext_batch" / "toy_p1_empty.veil");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
