// The client alone: reads a client spec, makes keys (the secret keys and the compressed
// evaluation keys), writes and reloads the key file, encrypts an image and decrypts it. With no
// server at hand the spec is an identity program (outputs = inputs, same encoding), so the
// decrypted integers must equal the quantized image exactly. Toy parameters: a test, not a model.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

#include "veil/client/client.hpp"
#include "veil/client/client_spec.hpp"
#include "veil/common/quantization.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"

namespace {

using namespace veil;
constexpr fhe::AllowInsecure kToy = fhe::AllowInsecure::for_tests;

client::ClientSpec identity_spec() {
  client::ClientSpec spec;
  spec.program_fingerprint = std::string(64, '0');
  spec.parameter_sets = {"insecure_toy_p6"};
  spec.input_shape = spec.output_shape = {3, 4, 4};
  spec.input_quantization = {1.0 / 16, 0, 0, 15};
  spec.input_exponent = spec.output_exponent = 57;  // 6 bits of message and a padding bit
  spec.output_scale = {{1.0 / 16}, {0}};
  spec.output_bound = 15;
  return spec;
}

// What a server's output of the identity program would be: the input, expanded.
fhe::CiphertextBatch as_output(const fhe::SeededLweBatch& input) {
  fhe::CiphertextBatch output{input.parameter_set_name, input.key_id, input.key_kind,
                              fhe::LweCiphertextArray(input.size(), input.dimension), input.context};
  fhe::expand_seeded_lwe(input, 0, output.ciphertexts);
  return output;
}

int run(const std::filesystem::path& dir) {
  client::save_client_spec_file(identity_spec(), dir / "client_spec.json");
  const client::ClientSpec spec = client::load_client_spec_file(dir / "client_spec.json");
  const client::SpecLoadLimits limits = client::load_limits(spec);

  fhe::Csprng rng;
  ThreadPool pool(2);
  const client::Client generated = client::Client::generate(spec, rng, kToy);
  fhe::save_server_key_file(generated.make_compressed_server_key(rng, pool, kToy), dir / "server.key");
  fhe::save_client_keys_file(generated.partition_keys(), dir / "client.key");
  const fhe::LoadLimits key_limits{limits.client_key.max_payload_bytes, kToy};
  const client::Client client(spec, fhe::load_client_keys_file(dir / "client.key", key_limits));

  Tensor image(spec.input_shape);
  for (std::size_t i = 0; i < image.data.size(); ++i) image.data[i] = static_cast<float>(i % 17) / 17.0f;
  IntTensor expected;
  quantize_input(spec.input_quantization, image.data.data(), image.data.size(), expected);

  const IntTensor decrypted = client.decrypt_integers(as_output(client.encrypt(image, rng)));
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < expected.data.size(); ++i) wrong += decrypted.data[i] != expected.data[i];
  std::printf("client only: %zu of %zu integers decrypted wrong, server key %ju bytes\n", wrong, expected.data.size(),
              static_cast<std::uintmax_t>(std::filesystem::file_size(dir / "server.key")));
  return wrong == 0 ? 0 : 1;
}

}  // namespace

// argv[1]: a scratch folder for the files (removed at the end).
int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: veil_client_only SCRATCH_DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    std::filesystem::create_directories(dir);
    const int status = run(dir);
    std::filesystem::remove_all(dir);
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "client only: %s\n", e.what());
    return 1;
  }
}
