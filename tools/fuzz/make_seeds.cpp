// Writes valid files of veil's own formats into <dir>/<kind>/, the seed corpora of the loader
// fuzzers (formats other programs write come from make_io_seeds.py). Keys are synthetic (fixed
// bit patterns, zero key material) on the smallest toy set: the fuzzers exercise parsing, not
// cryptography, and need no key generation. The model seeds are the compiler tests' hand-built
// circuits, each as a whole file and as its bare payload (load_model_fuzzer seals it).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/tiny_circuits.hpp"
#include "veil/common/file_io.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/runtime/compile_options_file.hpp"
#include "veil/runtime/published_client_spec.hpp"

namespace {

using namespace veil;
using namespace veil::fhe;
namespace fs = std::filesystem;

void write_fhe_seeds(const fs::path& dir) {
  const ParameterSet& p = insecure_toy_parameter_set(1);
  SecretBits small(p.lwe_dimension.value), big(p.big_lwe_dimension().value);
  for (std::size_t i = 0; i < small.size(); ++i) small[i] = (i * 7 + 3) % 5 < 2;
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = (i * 11 + 1) % 3 == 0;
  const ClientKey client(p, LweSecretKey(small), GlweSecretKey(p.glwe_dimension, p.polynomial_size, big));
  const KeyId id = key_id_of(client);
  save_parameter_set_file(p, dir / "parameter_set" / "toy_p1.veil");
  save_client_key_file(client, dir / "client_key" / "toy_p1.veil");
  const ServerKey server(
      p, FourierBootstrapKey(p.lwe_dimension, p.glwe_dimension, p.polynomial_size, p.pbs_base_log, p.pbs_level),
      KeyswitchKey(p.big_lwe_dimension(), p.lwe_dimension, p.ks_base_log, p.ks_level));
  save_server_key_file(server, id, dir / "server_key" / "toy_p1.veil");
  const IdentifiedCompressedServerKey compressed{
      id,
      {CompressedServerKey(p, {1}, std::vector<Torus>(compressed_bootstrap_key_words(p), 3), {2},
                           std::vector<Torus>(compressed_keyswitch_key_words(p), 5))}};
  save_server_key_file(compressed, dir / "server_key" / "toy_p1_compressed.veil");
  CiphertextBatch batch{p.name, id, LweKeyKind::small, LweCiphertextArray(2, p.lwe_dimension), ContextTag{}};
  for (std::size_t i = 0; i < batch.ciphertexts.data().size(); ++i)
    batch.ciphertexts.data()[i] = i * 0x9e3779b97f4a7c15ull;
  save_ciphertext_batch_file(batch, dir / "ciphertext_batch" / "toy_p1_small.veil");
  batch.ciphertexts = LweCiphertextArray(0, p.lwe_dimension);
  save_ciphertext_batch_file(batch, dir / "ciphertext_batch" / "toy_p1_empty.veil");
  const SeededLweBatch seeded{p.name,      id, LweKeyKind::big, p.big_lwe_dimension(), {1, 2, 3}, {5, 1ull << 63, 0},
                              ContextTag{}};
  save_seeded_lwe_batch_file(seeded, dir / "seeded_lwe_batch" / "toy_p1_big.veil");
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The model file, its payload alone, and the client spec and compile options of its program
// compiled on one set and on several (multi-parameter).
void write_program_seeds(const fs::path& dir, const std::string& name, nn::quant::QuantizedCircuit circuit) {
  const fs::path model = dir / "model" / (name + ".qcir");
  compiler::save_quantized_circuit_file(circuit, model);
  const std::string whole = file_bytes(model);
  write_file_atomically(
      dir / "model" / (name + ".payload"),
      whole.substr(kEnvelopeHeaderBytes, whole.size() - kEnvelopeHeaderBytes - kEnvelopeChecksumBytes));
  for (const bool multi : {false, true}) {
    compiler::CompileOptions options;
    options.multi_parameter = multi;
    const compiler::FheProgram program = compiler::compile_program(circuit, options);
    const std::string tag = name + (multi ? "_multi" : "_uniform");
    client::save_client_spec_file(runtime::make_client_spec(program), dir / "client_spec" / (tag + ".json"));
    const auto recorded = runtime::record_compile_options(program, compiler::circuit_fingerprint(program.circuit));
    write_file_atomically(dir / "compile_options" / (tag + ".json"), runtime::compile_options_json(recorded));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  try {
    const fs::path dir = argv[1];
    for (const char* kind : {"parameter_set", "client_key", "server_key", "ciphertext_batch", "seeded_lwe_batch",
                             "model", "client_spec", "compile_options"}) {
      fs::create_directories(dir / kind);
    }
    write_fhe_seeds(dir);
    write_program_seeds(dir, "residual", compiler::testing::residual_circuit());
    write_program_seeds(dir, "max_pool", compiler::testing::max_pool_circuit(nn::quant::MaxPoolSchedule::Separable));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
