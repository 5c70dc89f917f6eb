// A whole encrypted inference through veil's library API, in one process: a float network is
// quantized and compiled to an FHE program; the client makes keys and encrypts an image; the
// server evaluates the program with the evaluation keys only; the client decrypts the logits.
// The decrypted integers are compared with the clear integer executor's (the quantized
// network's exact answer): with narrow widths every lookup reads its whole accumulator (no
// rounding) at p_error 2^-40 per PBS, so they must be equal (exit 1 otherwise).
//
// The network is veil's small seeded ResNet (every op ResNet-18 uses) on 4x4 images, so that
// the example runs in seconds on secure parameters; a real model comes from a torchvision
// checkpoint (veil/io/weights.hpp, veil/nn/resnet18.hpp) the same way.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <vector>

#include "veil/client/client.hpp"
#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/small_resnet.hpp"
#include "veil/runtime/published_client_spec.hpp"
#include "veil/runtime/server.hpp"

namespace {

constexpr std::int64_t kImageSize = 4;

veil::Tensor first_image(const veil::Tensor& images) {
  const std::size_t size = images.data.size() / static_cast<std::size_t>(images.shape[0]);
  return veil::Tensor({images.shape[1], images.shape[2], images.shape[3]},
                      std::vector<float>(images.data.begin(), images.data.begin() + static_cast<std::ptrdiff_t>(size)));
}

int run() {
  using namespace veil;
  ThreadPool pool;

  // Model owner: quantize on calibration images (Concrete ML's scheme, 3-bit inputs, 2-bit
  // activations and weights), compile (the compiler picks 128-bit parameters from the vetted
  // curve for which every PBS errs with probability <= p_error).
  const nn::Graph graph = nn::make_small_resnet(/*seed=*/5, kImageSize);  // BN already folded
  const Tensor calibration = nn::make_small_images(16, /*seed=*/6, kImageSize);
  nn::quant::QuantizationConfig config;
  config.mode = nn::quant::QuantizationMode::ReferenceCompatible;
  config.n_bits = {3, 2, 2, 8};         // narrow activations and weights, so that ...
  config.rounding_bits = std::nullopt;  // ... every lookup reads its whole accumulator (<= 6 bits)
  const nn::quant::QuantizedCircuit circuit = nn::quant::make_quantized_circuit(graph, calibration, config, pool);
  compiler::CompileOptions options;
  options.p_error = 0x1p-40;  // with exact reads: the decryption equals the clear run
  const compiler::FheProgram program = compiler::compile_program(circuit, options);
  std::printf("compiled: %zu PBS sites on %s\n", program.pbs_sites.size(), program.params.name.c_str());

  // Client: keys from the published spec (no weights in it), then one encrypted image.
  fhe::Csprng rng;  // seeded from the operating system
  client::Client client = client::Client::generate(runtime::make_client_spec(program), rng);
  const fhe::IdentifiedServerKey evaluation_keys = client.make_server_key(rng, pool);
  const Tensor image = first_image(nn::make_small_images(1, /*seed=*/7, kImageSize));
  const fhe::SeededLweBatch encrypted = client.encrypt(image, rng);

  // Server: evaluation keys and ciphertexts only.
  const auto backend = fhe::make_cpu_backend(pool);
  runtime::Server server(program, evaluation_keys, *backend, pool);
  const fhe::CiphertextBatch encrypted_logits = server.run(encrypted);
  std::printf("server: %llu PBS in %.2f s\n", static_cast<unsigned long long>(server.last_run().pbs),
              server.last_run().seconds);

  // Client: decrypt; compare with the quantized network run in the clear.
  const nn::quant::IntTensor fhe_integers = client.decrypt_integers(encrypted_logits);
  nn::quant::IntTensor clear_integers;
  nn::quant::IntegerExecutor(circuit, 1)
      .run_integers(Tensor({1, image.shape[0], image.shape[1], image.shape[2]}, image.data), clear_integers);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < fhe_integers.data.size(); ++i) differ += fhe_integers.data[i] != clear_integers.data[i];
  const Tensor logits = client.logits(fhe_integers);
  std::printf("logits:");
  for (const float v : logits.data) std::printf(" %.3f", static_cast<double>(v));
  std::printf("\n%zu of %zu output integers differ from the clear run\n", differ, fhe_integers.data.size());
  return differ == 0 ? 0 : 1;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come, even into a pipe
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "encrypted_small_cnn: %s\n", e.what());
    return 2;
  }
}
